import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  closeSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { isAlive } from '../common/process-alive';
import { StartupError } from '../common/startup-error';

export class DataDirLockedError extends StartupError {}

/** Where the owner writes its pid: the refusal names it, and on macOS it is the lock itself. */
const PID_FILE = 'embedded.pid';

/**
 * One process per embedded data folder: two PGlite instances on one folder corrupt it, and
 * nothing in PGlite prevents that.
 *
 * On Linux the lock is a listening Unix socket in the abstract namespace, named after the
 * folder's real path. The kernel frees the name the moment its owner dies (kill -9 included)
 * and never while it lives (a paused process still holds it): no staleness to guess. Two
 * processes only see the same name in the same network namespace: containers sharing one
 * folder through a volume are not protected.
 *
 * Elsewhere (macOS has no abstract namespace) the lock is the pid file itself, created
 * exclusively, and taken over when the pid it names is not alive. Small race: two processes
 * that both find a dead owner's file at the same moment can both take it over.
 */
export class DataDirLock {
  private released = false;
  private watch?: NodeJS.Timeout;

  private constructor(
    private readonly dataDir: string,
    private readonly server: Server | undefined,
  ) {}

  /**
   * Takes the folder (which must exist), or throws DataDirLockedError naming the owner.
   * `onLost` runs if the lock is ever lost while held: from then on another process may open
   * the folder, so its owner must stop writing at once.
   */
  static async acquire(
    dataDir: string,
    onLost: (reason: string) => void,
    kind: 'socket' | 'pid-file' = process.platform === 'linux' ? 'socket' : 'pid-file',
  ): Promise<DataDirLock> {
    const lock =
      kind === 'socket' ? await DataDirLock.listen(dataDir) : DataDirLock.createPidFile(dataDir);
    lock.watchForLoss(onLost);
    return lock;
  }

  private static async listen(dataDir: string): Promise<DataDirLock> {
    const key = createHash('sha256').update(realpathSync(dataDir)).digest('hex');
    const server = createServer((socket) => socket.destroy());
    try {
      server.listen({ path: `\0ipythonblocks-embedded-${key}` });
      await once(server, 'listening');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw lockedError(dataDir, readOwner(dataDir));
      }
      throw err;
    }
    // The lock must not keep a finished process (the CLI) alive.
    server.unref();
    try {
      writeFileSync(join(dataDir, PID_FILE), `${process.pid}\n`);
    } catch (err) {
      server.close();
      throw err;
    }
    return new DataDirLock(dataDir, server);
  }

  private static createPidFile(dataDir: string): DataDirLock {
    const file = join(dataDir, PID_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        try {
          writeSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        return new DataDirLock(dataDir, undefined);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = readOwner(dataDir);
        if (owner !== undefined && isAlive(owner)) throw lockedError(dataDir, owner);
        // The owner died without removing its file.
        rmSync(file, { force: true });
      }
    }
    throw lockedError(dataDir, readOwner(dataDir));
  }

  private watchForLoss(onLost: (reason: string) => void): void {
    const lost = (reason: string) => {
      if (this.released) return;
      this.released = true;
      clearInterval(this.watch);
      onLost(reason);
    };
    if (this.server) {
      this.server.on('error', (err) => lost(`the lock socket failed: ${err.message}`));
      this.server.on('close', () => lost('the lock socket closed'));
    } else {
      // A pid file can be deleted or overwritten under us.
      this.watch = setInterval(() => {
        const owner = readOwner(this.dataDir);
        if (owner !== process.pid) lost(`${PID_FILE} now names ${owner ?? 'no process'}`);
      }, 2000);
      this.watch.unref();
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.watch);
    if (readOwner(this.dataDir) === process.pid)
      rmSync(join(this.dataDir, PID_FILE), { force: true });
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

function readOwner(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, PID_FILE), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function lockedError(dataDir: string, owner: number | undefined): DataDirLockedError {
  const who = owner === undefined ? 'another process' : `process ${owner}`;
  return new DataDirLockedError(
    `The embedded database in ${dataDir} (DATA_DIR) is already in use by ${who}. ` +
      'Stop that process, or set DATA_DIR to another folder (or DATABASE_URL to a server).',
  );
}
