import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_DIR_ENV, removeStaleRunDirs } from '../support/run-dir';

/** A test run leaves nothing in the temp folder (see test/support/run-dir.ts). */
describe('the test run’s temp folder', () => {
  it('is where this run writes: the OS temp folder of the tests is the run’s own', () => {
    const runDir = process.env[RUN_DIR_ENV];
    expect(runDir).toBeDefined();
    expect(tmpdir()).toBe(runDir);
  });

  it('of a run that was killed is removed by the next run; a live run’s is kept', () => {
    const outer = mkdtempSync(join(tmpdir(), 'outer-'));
    try {
      const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
      const killed = join(outer, 'ipb-test-run-killed');
      const live = join(outer, 'ipb-test-run-live');
      for (const [dir, pid] of [
        [killed, dead],
        [live, process.pid],
      ] as const) {
        mkdirSync(join(dir, 'embedded'), { recursive: true });
        writeFileSync(join(dir, 'owner.pid'), String(pid));
      }
      expect(removeStaleRunDirs(outer)).toEqual([killed]);
      expect(existsSync(killed)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });
});
