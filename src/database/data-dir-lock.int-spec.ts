import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock, DataDirLockedError } from './data-dir-lock';

const KINDS = ['socket', 'pid-file'] as const;

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid;
}

describe('DataDirLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ipb-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(KINDS)(
    '(%s) refuses a second owner, naming the first one, until released',
    async (kind) => {
      const lost = jest.fn();
      const lock = await DataDirLock.acquire(dir, lost, kind);
      expect(readFileSync(join(dir, 'embedded.pid'), 'utf8').trim()).toBe(String(process.pid));

      const second = DataDirLock.acquire(dir, lost, kind);
      await expect(second).rejects.toThrow(DataDirLockedError);
      await expect(DataDirLock.acquire(dir, lost, kind)).rejects.toThrow(
        `The embedded database in ${dir} (DATA_DIR) is already in use by process ${process.pid}`,
      );

      await lock.release();
      const again = await DataDirLock.acquire(dir, lost, kind);
      await again.release();
      expect(lost).not.toHaveBeenCalled();
    },
  );

  it.each(KINDS)(
    '(%s) is taken at once from an owner that died without releasing it',
    async (kind) => {
      // What a kill -9 leaves: the dead owner's pid file.
      writeFileSync(join(dir, 'embedded.pid'), `${deadPid()}\n`);
      const lock = await DataDirLock.acquire(dir, jest.fn(), kind);
      expect(readFileSync(join(dir, 'embedded.pid'), 'utf8').trim()).toBe(String(process.pid));
      await lock.release();
    },
  );

  it('(socket) reports its loss when the socket closes while held', async () => {
    const lost = jest.fn();
    const lock = await DataDirLock.acquire(dir, lost, 'socket');
    // Cannot happen from outside the process; simulated on the lock's own socket.
    lock['server']!.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lost).toHaveBeenCalledWith('the lock socket closed');
    await lock.release();
  });

  it('(pid-file) reports its loss when another process overwrites the file', async () => {
    jest.useFakeTimers();
    try {
      const lost = jest.fn();
      const lock = await DataDirLock.acquire(dir, lost, 'pid-file');
      writeFileSync(join(dir, 'embedded.pid'), '4242\n');
      jest.advanceTimersByTime(2500);
      expect(lost).toHaveBeenCalledWith('embedded.pid now names 4242');
      await lock.release();
    } finally {
      jest.useRealTimers();
    }
  });
});
