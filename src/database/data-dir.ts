import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { StartupError } from '../common/startup-error';

/** DATA_DIR names a place the embedded database cannot live. */
export class DataDirUnusableError extends StartupError {}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'it is on a read-only file system',
  ENOTDIR: 'part of the path is a file, not a folder',
  EEXIST: 'it is a file, not a folder',
  // mkdir in a folder that takes no new entries, such as /proc.
  ENOENT: 'no folder can be made there',
};

/**
 * Makes the embedded database's folder (and its missing parents) and checks this process may
 * write in it. Level by level, not with mkdirSync's recursive mode: that spins forever, at full
 * CPU and deaf to signals, where mkdir fails with ENOENT under a folder that exists (/proc/x).
 * A disk that is full is left for the caller to report.
 */
export function makeDataDir(dataDir: string): void {
  try {
    const missing: string[] = [];
    for (let dir = dataDir; !existsSync(dir) && dirname(dir) !== dir; dir = dirname(dir)) {
      missing.unshift(dir);
    }
    for (const dir of missing) mkdirSync(dir);
    if (!statSync(dataDir).isDirectory()) {
      throw Object.assign(new Error('not a directory'), { code: 'EEXIST' });
    }
    accessSync(dataDir, constants.W_OK | constants.X_OK);
  } catch (err) {
    const reason = REASONS[(err as NodeJS.ErrnoException).code ?? ''];
    if (reason === undefined) throw err;
    throw new DataDirUnusableError(
      `The embedded database cannot use DATA_DIR=${dataDir}: ${reason}. ` +
        'Set DATA_DIR to a folder this process can write (or DATABASE_URL to a Postgres server).',
    );
  }
}
