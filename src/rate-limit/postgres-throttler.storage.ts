import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { inBoundedStatement } from '../database/bounded-transaction';
import { StorageMonitor } from '../database/storage-monitor';

/** What a count answers (the package does not export its name). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** What INCREMENT_SQL answers: the key's count, and the seconds until it resets. */
interface CounterRow {
  hits: number;
  blocked: boolean;
  seconds: number;
}

/** The UNLOGGED table of src/migrations/1795787460000-CreateRateLimitCounters.ts. */
export const RATE_LIMIT_COUNTERS_TABLE = 'rate_limit_counters';

/**
 * How long the counter's one statement may take once it has a connection. A healthy database
 * answers in a millisecond; past this it is in trouble, and the post would fail anyway.
 */
export const COUNTER_ANSWER_MS = 1000;

/** Every this many counts, a process deletes expired counters (at most SWEEP_BATCH of them). */
export const SWEEP_EVERY = 100;
const SWEEP_BATCH = 1000;

/*
 * One statement per count, atomic under concurrency: INSERT ... ON CONFLICT takes the key's row
 * lock, so counts from every process on the same key queue up and each sees the one before. The
 * database's clock decides every window, so processes on different machines agree.
 *
 * A counter runs until `resets_at`; after that it counts as none, and the next count starts a
 * window of `ttl`. Within it, the count that goes past `limit` blocks the key (`blocked`) for
 * `blockDuration`, and at least to the window's end; counts while blocked are not taken. Kept
 * short: the statement is parsed and planned on every post (no named statements through TypeORM),
 * which costs Postgres more than running it.
 */
const INCREMENT_SQL = `
  INSERT INTO ${RATE_LIMIT_COUNTERS_TABLE} AS c (key, hits, resets_at, blocked)
  VALUES ($1, 1, now() + $2::float8 * interval '1 ms', false)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN c.resets_at <= now() THEN 1 WHEN c.blocked THEN c.hits ELSE c.hits + 1 END,
    blocked = c.resets_at > now() AND (c.blocked OR c.hits >= $3),
    resets_at = CASE
      WHEN c.resets_at <= now() THEN excluded.resets_at
      WHEN NOT c.blocked AND c.hits >= $3
        THEN greatest(c.resets_at, now() + $4::float8 * interval '1 ms')
      ELSE c.resets_at END
  RETURNING hits, blocked, greatest(0, ceil(extract(epoch FROM resets_at - now())))::int AS seconds`;

/*
 * An expired counter means the same as no counter, so deleting one is always safe; SKIP LOCKED
 * lets sweeps from several processes run at once without waiting on each other or on a count.
 */
const SWEEP_SQL = `
  DELETE FROM ${RATE_LIMIT_COUNTERS_TABLE} WHERE key IN (
    SELECT key FROM ${RATE_LIMIT_COUNTERS_TABLE} WHERE resets_at <= now()
    LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED)`;

/**
 * `@nestjs/throttler`'s storage with its counters in Postgres, so every web process counts into
 * the same ones: N dynos allow POST_RATE_LIMIT posts a minute per client in total, not N times
 * that. Expired counters are swept by the processes themselves, every SWEEP_EVERY counts, in the
 * background: no scheduler, nothing to coordinate between dynos.
 *
 * A count needs the database, as the post it guards does: when it cannot be had the error goes
 * to the exception filter, which answers what a post gets (503 with Retry-After, or the full
 * disk's 503), and the post is not taken.
 */
@Injectable()
export class PostgresThrottlerStorage implements ThrottlerStorage, BeforeApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private counts = 0;
  private sweeping: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly storage: StorageMonitor,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    // A count is a write: the embedded database must not meet a full disk (see StorageMonitor).
    this.storage.assertRoomToWrite();
    const [counter] = await inBoundedStatement<CounterRow[]>(
      this.dataSource,
      // The pool bounds the wait for a connection by itself; the statement gets the rest.
      this.config.databaseConnectTimeoutMs + COUNTER_ANSWER_MS,
      INCREMENT_SQL,
      [key, ttl, limit, blockDuration],
    );
    if (++this.counts % SWEEP_EVERY === 0) this.sweepInBackground();
    return {
      totalHits: counter.hits,
      timeToExpire: counter.seconds,
      isBlocked: counter.blocked,
      timeToBlockExpire: counter.blocked ? counter.seconds : 0,
    };
  }

  /** Deletes up to SWEEP_BATCH expired counters; answers how many. */
  async sweepExpired(): Promise<number> {
    const [, deleted] = await inBoundedStatement<[unknown[], number]>(
      this.dataSource,
      this.config.databaseConnectTimeoutMs + COUNTER_ANSWER_MS,
      SWEEP_SQL,
      [],
    );
    return deleted;
  }

  /** The pool closes after this: a sweep still running is let finish. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.sweeping;
  }

  private sweepInBackground(): void {
    this.sweeping = this.sweeping
      .then(() => this.sweepExpired())
      .catch((err: unknown) =>
        // Expired counters do no harm (they count as none); the next sweep takes them.
        this.logger.warn(`sweeping expired rate-limit counters: ${(err as Error)?.message}`),
      );
  }
}
