import { Logger } from '@nestjs/common';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { join } from 'node:path';
import { isDiskFull } from '../common/database-errors';
import { StartupError } from '../common/startup-error';
import { makeDataDir } from './data-dir';
import { DataDirLock } from './data-dir-lock';
import { freeBytes, formatBytes } from './free-space';
import { ErrorResponseScanner, ProtocolError } from './protocol-errors';

export { DataDirLockedError } from './data-dir-lock';

const SHARED_BUFFERS = '16MB';
/** Postgres creates its write-ahead log in files of this size: less free than this is full. */
export const WAL_SEGMENT_BYTES = 16 * 1024 * 1024;

/** The data folder's disk is full: the embedded database cannot start there. */
export class DataDirFullError extends StartupError {}

/**
 * PGlite persisted in a folder, served over a loopback socket so the ordinary `pg` driver (and
 * therefore TypeORM) talks to it exactly as it talks to a real server.
 */
export class EmbeddedPostgres {
  private readonly logger = new Logger(EmbeddedPostgres.name);
  private db?: PGlite;
  private server?: PGLiteSocketServer;
  private lock?: DataDirLock;
  private failure?: string;

  /**
   * `onFailure` hears when this process must stop using the folder: its lock was lost, or
   * PGlite failed in a way it does not survive. By then nothing reaches PGlite any more.
   */
  constructor(
    private readonly dataDir: string,
    private readonly onFailure: (reason: string) => void = () => undefined,
  ) {}

  async start(): Promise<string> {
    try {
      // PGlite does not create parent folders.
      makeDataDir(this.dataDir);
      this.lock = await DataDirLock.acquire(this.dataDir, (why) =>
        this.fail(`it lost the lock on its data folder (${why}); another process may open it`),
      );
      this.db = await PGlite.create(join(this.dataDir, 'pgdata'), {
        // Postgres' buffer pool lives in PGlite's WebAssembly heap, so the default 128 MB is most
        // of what an idle embedded database costs; the OS page cache still sits behind it.
        startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
      });
      this.server = new PGLiteSocketServer({
        db: this.guarded(this.db),
        host: '127.0.0.1',
        port: 0,
        maxConnections: 1,
      });
      await this.server.start();
    } catch (err) {
      await this.stop();
      throw this.explainStartFailure(err);
    }
    const url = `postgres://postgres@${this.server.getServerConn()}/postgres`;
    this.logger.log(`Embedded Postgres (PGlite) in ${this.dataDir}`);
    return url;
  }

  async stop(): Promise<void> {
    await this.server?.stop().catch(() => undefined);
    this.server = undefined;
    // A failed PGlite is left alone: closing it writes a checkpoint, into a folder that may be
    // another process's by now, and a PGlite broken by a failed write can hang on it.
    if (!this.failure) await this.db?.close().catch(() => undefined);
    this.db = undefined;
    await this.lock?.release().catch(() => undefined);
    this.lock = undefined;
  }

  /**
   * The PGlite the socket server sees: every answer is read for errors PGlite does not survive
   * (tried on a full disk: after a failed write-ahead-log write every later query fails with
   * XX000 or never returns, blocking the event loop), and after one no query reaches it again.
   */
  private guarded(db: PGlite): PGlite {
    const exec: PGlite['execProtocolRawStream'] = async (message, options) => {
      if (this.failure) throw new Error(`The embedded database stopped: ${this.failure}`);
      const scanner = new ErrorResponseScanner();
      const result = await db.execProtocolRawStream(message, {
        ...options,
        onRawData: (chunk) => {
          scanner.push(chunk);
          options?.onRawData?.(chunk);
        },
      });
      const fatal = scanner.errors.find(breaksPglite);
      if (fatal) this.fail(this.describe(fatal));
      return result;
    };
    return new Proxy(db, {
      get: (target, property) => {
        if (property === 'execProtocolRawStream') return exec;
        // The socket server rolls back a disconnected client's transaction: not on a dead PGlite.
        if (property === 'isInTransaction') return () => !this.failure && target.isInTransaction();
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
  }

  private fail(reason: string): void {
    if (this.failure) return;
    this.failure = reason;
    this.logger.error(
      `The embedded database in ${this.dataDir} stopped: ${reason}. Nothing more is written to it.`,
    );
    // After the failing answer has gone out: from now on connections are refused.
    setImmediate(() => void this.server?.stop().catch(() => undefined));
    this.onFailure(`The embedded database stopped: ${reason}`);
  }

  private describe(error: ProtocolError): string {
    const free = freeBytes(this.dataDir);
    const full = isDiskFull(error) || (free !== undefined && free < WAL_SEGMENT_BYTES);
    const space = free === undefined ? '' : `; ${formatBytes(free)} free on its disk`;
    return full
      ? `no space left on device in ${this.dataDir} (${error.message}${space})`
      : `${error.message} (SQLSTATE ${error.code}${space})`;
  }

  /** A full disk at start shows up as anything from ENOSPC to PGlite's bare `ErrnoError 51`. */
  private explainStartFailure(err: unknown): unknown {
    if (err instanceof StartupError) return err;
    const free = freeBytes(this.dataDir);
    if (isDiskFull(err) || (free !== undefined && free < WAL_SEGMENT_BYTES)) {
      const space = free === undefined ? '' : ` (${formatBytes(free)} free)`;
      return new DataDirFullError(
        `The embedded database cannot start in DATA_DIR=${this.dataDir}: no space left on device${space}. ` +
          'Free some space, or set DATA_DIR to a folder on another disk.',
      );
    }
    return err;
  }
}

/** Errors after which PGlite's state cannot be trusted (Postgres itself would restart). */
function breaksPglite(error: ProtocolError): boolean {
  return (
    error.severity === 'PANIC' ||
    error.code === '53100' ||
    error.code.startsWith('58') ||
    error.code.startsWith('XX')
  );
}
