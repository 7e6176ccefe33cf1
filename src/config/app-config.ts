import { Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { EnvVars, InvalidEnvironmentError, validateEnv } from './env';

export type DatabaseSsl = false | { rejectUnauthorized: boolean };

export interface GridLimits {
  maxBodyBytes: number;
  maxBlocks: number;
  maxBlockSize: number;
  maxCodeCells: number;
  maxCodeCellChars: number;
  maxCodeChars: number;
}

/**
 * The typed, validated configuration. It is an injectable class token so that every
 * consumer (app, CLI, tests) receives the same object through dependency injection.
 */
export class AppConfig {
  readonly production: boolean;
  readonly port: number;
  readonly database:
    | {
        kind: 'server';
        /** The direct URL: for what needs a session of its own (LISTEN, migrations). */
        url: string;
        /**
         * A transaction-mode pooler (Heroku's server-side pooling), which the queries go through
         * when set.
         */
        poolUrl: string | undefined;
        ssl: DatabaseSsl | undefined;
        poolMax: number;
      }
    | {
        kind: 'embedded';
        dataDir: string;
        /** Posts are refused while the data folder's disk has less free than this. */
        minFreeBytes: number;
      };
  readonly databaseConnectTimeoutMs: number;
  /**
   * How long a post's INSERT, and then its COMMIT, may take: Postgres cancels a statement after
   * this, and the app gives up on the connection a second later.
   */
  readonly databaseStatementTimeoutMs: number;
  readonly salts: { public: string; secret: string };
  readonly publicUrl: string | undefined;
  /** Where grid pages send people to report a grid (http(s) or mailto:); no link when unset. */
  readonly reportUrl: string | undefined;
  /** The site's name in embeds and oEmbed answers; unset: the host of the links' origin. */
  readonly siteName: string | undefined;
  readonly trustProxyHops: number;
  readonly limits: GridLimits;
  /** How post bodies are read: see BodyReader. */
  readonly bodyReading: { maxBufferedBytes: number; idleTimeoutMs: number };
  readonly requestLog: boolean;
  readonly logLevel: string;
  /** Human-readable lines for a developer's terminal; JSON lines everywhere else. */
  readonly prettyLogs: boolean;
  /** Bytes of immutable grid answers each process keeps in memory (0: none). */
  readonly gridCacheBytes: number;
  /** Posts a minute from one client address (0: unlimited). */
  readonly postRateLimit: number;
  /** How long SIGTERM waits for requests in flight before the process exits anyway. */
  readonly shutdownTimeoutMs: number;

  constructor(env: EnvVars) {
    this.production = env.NODE_ENV === 'production';
    this.port = env.PORT ?? 3000;
    this.databaseConnectTimeoutMs = env.DATABASE_CONNECT_TIMEOUT_MS ?? 5000;
    // A post then answers within 5 + 2 x (8 + 1) = 23 s at worst (29 s with its rate-limit count,
    // 5 + 1 s before it), before Heroku's router gives up at 30 s and answers for us, saying
    // nothing of what happened.
    this.databaseStatementTimeoutMs = env.DATABASE_STATEMENT_TIMEOUT_MS ?? 8000;

    if (env.DATABASE_CONNECTION_POOL_URL && !env.DATABASE_URL) {
      // The pooler alone cannot LISTEN: hides would never reach the other processes.
      throw new InvalidEnvironmentError(
        'DATABASE_CONNECTION_POOL_URL is set without DATABASE_URL: the direct URL is needed too, ' +
          'for what a transaction pooler cannot do (LISTEN for hides, migrations).',
      );
    }
    if (env.DATABASE_URL) {
      this.database = {
        kind: 'server',
        url: env.DATABASE_URL,
        poolUrl: env.DATABASE_CONNECTION_POOL_URL,
        ssl: resolveSsl(env, this.production),
        // Heroku's smallest plan allows 20 connections: 2 web dynos x (4 + 1 listening) + the
        // release (1) + a one-off command (2) = 13, room for a `heroku pg:psql` or two and a
        // dyno restarting beside its successor. Four are plenty for one Node process: a query
        // is a few ms, and answers are mostly served from memory.
        poolMax: env.DATABASE_POOL_MAX ?? 4,
      };
    } else if (this.production) {
      // Heroku wipes a dyno's disk on every restart: an embedded database would lose grids.
      throw new InvalidEnvironmentError(
        'DATABASE_URL is required when NODE_ENV=production: the embedded database lives on the ' +
          "dyno's disk, which Heroku wipes on every restart (attach Heroku Postgres).",
      );
    } else {
      this.database = {
        kind: 'embedded',
        dataDir: resolve(env.DATA_DIR ?? './data'),
        // PGlite does not survive a write that finds the disk full. 64 MB leaves room for a new
        // write-ahead-log file (16 MB) and a few of the largest posts (a post costs about
        // twice its size: the row and its log; a 500x500 grid of random colours, 3.7 MB of
        // JSON, took 2.3 + 2.3 MB).
        minFreeBytes: (env.DATA_DIR_MIN_FREE_MB ?? 64) * 1024 * 1024,
      };
    }

    if (this.production && (!env.HASHIDS_PUBLIC_SALT || !env.HASHIDS_SECRET_SALT)) {
      throw new InvalidEnvironmentError(
        'HASHIDS_PUBLIC_SALT and HASHIDS_SECRET_SALT are required when NODE_ENV=production: ' +
          'without the legacy salts every old grid URL would point at the wrong grid.',
      );
    }
    if (!env.HASHIDS_PUBLIC_SALT || !env.HASHIDS_SECRET_SALT) {
      new Logger('Config').warn(
        'HASHIDS_PUBLIC_SALT / HASHIDS_SECRET_SALT not set: using the development salts "public" / "secret"',
      );
    }
    this.salts = {
      public: env.HASHIDS_PUBLIC_SALT ?? 'public',
      secret: env.HASHIDS_SECRET_SALT ?? 'secret',
    };
    if (this.production && !env.PUBLIC_URL) {
      throw new InvalidEnvironmentError(
        'PUBLIC_URL is required when NODE_ENV=production (e.g. http://www.ipythonblocks.org): ' +
          'without it, the URLs handed out and the links in pages would be made from request ' +
          'headers any client can forge.',
      );
    }
    this.publicUrl = env.PUBLIC_URL?.replace(/\/+$/, '');
    this.reportUrl = env.REPORT_URL;
    this.siteName = env.SITE_NAME;
    this.trustProxyHops = env.TRUST_PROXY_HOPS ?? 1;
    this.limits = {
      maxBodyBytes: env.MAX_BODY_BYTES ?? 8 * 1024 * 1024,
      maxBlocks: env.MAX_BLOCKS ?? 250_000,
      maxBlockSize: env.MAX_BLOCK_SIZE ?? 200,
      maxCodeCells: env.MAX_CODE_CELLS ?? 200,
      // A lesson's cell is a few hundred characters; a whole course's notebook a few tens of
      // thousands. Pages bound what they show anyway (grid-code.ts).
      maxCodeCellChars: env.MAX_CODE_CELL_CHARS ?? 20_000,
      maxCodeChars: env.MAX_CODE_CHARS ?? 100_000,
    };
    this.bodyReading = {
      // 8 bodies of the largest size at once: with the 192 MB old space, under 350 MB of RSS.
      maxBufferedBytes: env.MAX_BUFFERED_BODY_BYTES ?? 64 * 1024 * 1024,
      // A client on a slow link still sends something every few seconds.
      idleTimeoutMs: env.BODY_IDLE_TIMEOUT_MS ?? 5000,
    };
    this.requestLog = env.REQUEST_LOG !== 'false';
    this.logLevel = env.LOG_LEVEL ?? 'info';
    this.prettyLogs = prettyLogsWanted(env.LOG_FORMAT, this.production);
    this.gridCacheBytes = (env.GRID_CACHE_MB ?? 32) * 1024 * 1024;
    // A classroom posts from behind one address: 30 students, a few posts a minute each.
    this.postRateLimit = env.POST_RATE_LIMIT ?? 120;
    // Heroku sends SIGKILL 30 s after SIGTERM.
    this.shutdownTimeoutMs = env.SHUTDOWN_TIMEOUT_MS ?? 25_000;
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
    return new AppConfig(validateEnv(env));
  }
}

/**
 * Readable lines only when asked for, or on a developer's terminal; JSON lines everywhere else
 * (production, pipes, files, and a LOG_FORMAT that is not valid: main.ts reports that one).
 */
export function prettyLogsWanted(logFormat: string | undefined, production: boolean): boolean {
  if (logFormat !== undefined && logFormat !== '') return logFormat === 'pretty';
  return !production && Boolean(process.stdout.isTTY);
}

function resolveSsl(env: EnvVars, production: boolean): DatabaseSsl | undefined {
  const mode = env.DATABASE_SSL;
  if (mode === 'true') return { rejectUnauthorized: true };
  if (mode === 'no-verify') return { rejectUnauthorized: false };
  if (mode === 'false') return false;
  // An sslmode in the URL is honoured by pg itself.
  if (env.DATABASE_URL && /[?&]sslmode=/.test(env.DATABASE_URL)) return undefined;
  // Heroku Postgres requires TLS with a certificate that does not verify against public CAs.
  return production ? { rejectUnauthorized: false } : false;
}
