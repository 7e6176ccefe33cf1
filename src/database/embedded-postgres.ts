import { Logger } from '@nestjs/common';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirLock } from './data-dir-lock';

export { DataDirLockedError } from './data-dir-lock';

const SHARED_BUFFERS = '16MB';

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
   * `onFailure` hears when this process must stop using the folder: its lock was lost. By then
   * nothing reaches PGlite any more.
   */
  constructor(
    private readonly dataDir: string,
    private readonly onFailure: (reason: string) => void = () => undefined,
  ) {}

  async start(): Promise<string> {
    // PGlite does not create parent folders.
    mkdirSync(this.dataDir, { recursive: true });
    this.lock = await DataDirLock.acquire(this.dataDir, (why) =>
      this.fail(`it lost the lock on its data folder (${why}); another process may open it`),
    );
    try {
      this.db = await PGlite.create(join(this.dataDir, 'pgdata'), {
        // Postgres' buffer pool lives in PGlite's WebAssembly heap, so the default 128 MB is most
        // of what an idle embedded database costs; the OS page cache still sits behind it.
        startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
      });
      this.server = new PGLiteSocketServer({
        db: this.db,
        host: '127.0.0.1',
        port: 0,
        maxConnections: 1,
      });
      await this.server.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
    const url = `postgres://postgres@${this.server.getServerConn()}/postgres`;
    this.logger.log(`Embedded Postgres (PGlite) in ${this.dataDir}`);
    return url;
  }

  async stop(): Promise<void> {
    await this.server?.stop().catch(() => undefined);
    this.server = undefined;
    // A failed PGlite is left alone: closing it writes a checkpoint, into a folder that may be
    // another process's by now.
    if (!this.failure) await this.db?.close().catch(() => undefined);
    this.db = undefined;
    await this.lock?.release().catch(() => undefined);
    this.lock = undefined;
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
}
