import { Logger } from '@nestjs/common';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as lockfile from 'proper-lockfile';

const SHARED_BUFFERS = '16MB';

export class DataDirLockedError extends Error {}

/**
 * PGlite persisted in a folder, served over a loopback socket so the ordinary `pg` driver (and
 * therefore TypeORM) talks to it exactly as it talks to a real server.
 */
export class EmbeddedPostgres {
  private readonly logger = new Logger(EmbeddedPostgres.name);
  private db?: PGlite;
  private server?: PGLiteSocketServer;
  private releaseLock?: () => Promise<void>;

  constructor(private readonly dataDir: string) {}

  async start(): Promise<string> {
    // PGlite does not create parent folders.
    mkdirSync(this.dataDir, { recursive: true });
    try {
      // Two PGlite processes on one folder corrupt it; nothing in PGlite prevents that.
      this.releaseLock = await lockfile.lock(this.dataDir, {
        lockfilePath: join(this.dataDir, 'embedded.lock'),
        retries: 0,
        stale: 15_000,
        update: 5_000,
        onCompromised: (err) => this.logger.error(`Data folder lock lost: ${err.message}`),
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
        throw new DataDirLockedError(
          `The embedded database in ${this.dataDir} is already in use by another process. ` +
            'Stop that process, or set DATA_DIR to another folder (or DATABASE_URL to a server).',
        );
      }
      throw err;
    }
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
    await this.db?.close().catch(() => undefined);
    this.db = undefined;
    await this.releaseLock?.().catch(() => undefined);
    this.releaseLock = undefined;
  }
}
