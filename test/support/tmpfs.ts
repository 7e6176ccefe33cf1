import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small file system of its own (tmpfs) that a test can fill up, to see what a full disk does.
 * Mounting needs root (CI and the development machine run the tests as root); without it the
 * test fails saying so rather than passing without having run.
 */
export class Tmpfs {
  private constructor(readonly path: string) {}

  static mount(sizeMb: number): Tmpfs {
    const path = mkdtempSync(join(tmpdir(), 'ipb-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', path], {
        stdio: 'pipe',
      });
    } catch (err) {
      rmSync(path, { recursive: true, force: true });
      const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(
        `The full-disk tests mount a ${sizeMb} MB tmpfs and could not: ${stderr || String(err)}. ` +
          'They need root (or CAP_SYS_ADMIN); run them as root, as CI does.',
        { cause: err },
      );
    }
    return new Tmpfs(path);
  }

  freeBytes(): number {
    const stats = statfsSync(this.path);
    return stats.bavail * stats.bsize;
  }

  /** Writes a filler file until only `leaveBytes` are free (0: completely full). */
  fill(leaveBytes = 0, name = 'filler'): void {
    const fd = openSync(join(this.path, name), 'a');
    const chunk = Buffer.alloc(1024 * 1024);
    try {
      for (let free = this.freeBytes(); free > leaveBytes; free = this.freeBytes()) {
        const n = Math.min(chunk.length, free - leaveBytes);
        try {
          writeSync(fd, chunk, 0, n);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  unfill(name = 'filler'): void {
    rmSync(join(this.path, name), { force: true });
  }

  unmount(): void {
    execFileSync('umount', ['-l', this.path], { stdio: 'pipe' });
    rmSync(this.path, { recursive: true, force: true });
  }
}
