import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../src/common/process-alive';

/**
 * Everything a test run writes to the temp folder (embedded databases, copies of the legacy
 * file, tmpfs mount points, the processes it starts) goes into one folder of its own: jest's
 * global setup points TMPDIR at it, and its global teardown removes it, also when tests failed.
 * A run that was killed leaves its folder behind; the next run removes it, its process being
 * gone.
 */
const PREFIX = 'ipb-test-run-';
const OWNER_FILE = 'owner.pid';
export const RUN_DIR_ENV = 'IPB_TEST_RUN_DIR';
const OUTER_TMPDIR_ENV = 'IPB_TEST_OUTER_TMPDIR';

function ownerOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(path, OWNER_FILE), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Removes run folders in `dir` whose test process is gone (killed runs). */
export function removeStaleRunDirs(dir = tmpdir()): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(PREFIX)) continue;
    const path = join(dir, name);
    const owner = ownerOf(path);
    // No owner file: a folder being made right now, or a broken one; leave it.
    if (owner !== undefined && !isAlive(owner)) {
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    }
  }
  return removed;
}

/** Makes this run's folder and points TMPDIR (and so `os.tmpdir()`) at it. */
export function enterRunDir(): string {
  const outer = tmpdir();
  removeStaleRunDirs(outer);
  const dir = mkdtempSync(join(outer, PREFIX));
  // Traversable by others: a private Postgres cluster runs as the postgres user inside it.
  chmodSync(dir, 0o711);
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  process.env[OUTER_TMPDIR_ENV] = outer;
  process.env[RUN_DIR_ENV] = dir;
  process.env.TMPDIR = dir;
  return dir;
}

/** Removes this run's folder and gives TMPDIR back. */
export function leaveRunDir(): void {
  const dir = process.env[RUN_DIR_ENV];
  const outer = process.env[OUTER_TMPDIR_ENV];
  if (outer !== undefined) process.env.TMPDIR = outer;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
