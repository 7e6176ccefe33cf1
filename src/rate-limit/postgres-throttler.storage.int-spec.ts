import { randomUUID } from 'node:crypto';
import { startTestModule, type TestModule } from '../../test/support/test-app';
import {
  PostgresThrottlerStorage,
  RATE_LIMIT_COUNTERS_TABLE,
  SWEEP_EVERY,
} from './postgres-throttler.storage';
import { RateLimitModule } from './rate-limit.module';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The counters against the real database (the local server, or the embedded one). */
describe('PostgresThrottlerStorage', () => {
  let db: TestModule;
  let storage: PostgresThrottlerStorage;

  beforeAll(async () => {
    db = await startTestModule([RateLimitModule]);
    storage = db.module.get(PostgresThrottlerStorage);
  });
  afterAll(() => db.close());

  // The server database is shared with other test files: every test counts on keys of its own.
  const freshKey = () => `spec-${randomUUID()}`;
  const MINUTE = 60_000;

  /** `n` counts on `key`, one after another. */
  async function count(key: string, n: number, ttl = MINUTE, limit = 3, block = ttl) {
    const records = [];
    for (let i = 0; i < n; i++) records.push(await storage.increment(key, ttl, limit, block));
    return records;
  }

  const rowOf = async (key: string) =>
    (
      await db.dataSource.query<{ hits: number }[]>(
        `SELECT hits FROM ${RATE_LIMIT_COUNTERS_TABLE} WHERE key = $1`,
        [key],
      )
    )[0];

  it('counts up to the limit, then blocks for the block duration without counting further', async () => {
    const key = freshKey();
    const records = await count(key, 5);
    expect(records.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
      [4, true],
    ]);
    expect(records[0].timeToExpire).toBe(60);
    expect(records[0].timeToBlockExpire).toBe(0);
    // Retry-After: the block runs a minute from the count that went past the limit.
    expect(records[3].timeToBlockExpire).toBeGreaterThanOrEqual(59);
    expect(records[3].timeToBlockExpire).toBeLessThanOrEqual(60);
    expect(records[4].timeToBlockExpire).toBeLessThanOrEqual(records[3].timeToBlockExpire);
    // Another key (another client) is not touched.
    expect((await count(freshKey(), 1))[0]).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('starts a new window once the window is over, and after a block once the block is over', async () => {
    const key = freshKey();
    expect((await count(key, 2, 300)).map((r) => r.totalHits)).toEqual([1, 2]);
    await sleep(400);
    expect((await count(key, 1, 300))[0]).toMatchObject({ totalHits: 1, isBlocked: false });

    const blocked = freshKey();
    const records = await count(blocked, 4, 300, 3, 600);
    expect(records[3]).toMatchObject({ totalHits: 4, isBlocked: true });
    // The window is over, but the block is not.
    await sleep(400);
    expect((await count(blocked, 1, 300, 3, 600))[0].isBlocked).toBe(true);
    await sleep(300);
    expect((await count(blocked, 1, 300, 3, 600))[0]).toMatchObject({
      totalHits: 1,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('loses no count and lets no extra one through when counts on one key arrive at once', async () => {
    const key = freshKey();
    const records = await Promise.all(
      Array.from({ length: 40 }, () => storage.increment(key, MINUTE, 25, MINUTE)),
    );
    expect(records.filter((r) => !r.isBlocked)).toHaveLength(25);
    expect(records.filter((r) => !r.isBlocked).map((r) => r.totalHits)).toEqual(
      expect.arrayContaining(Array.from({ length: 25 }, (_, i) => i + 1)),
    );
    expect(await rowOf(key)).toEqual({ hits: 26 });
  });

  it('sweeps expired counters, never a live one or a block still running', async () => {
    const expired = freshKey();
    const expiredBlock = freshKey();
    const live = freshKey();
    const blocked = freshKey();
    await count(expired, 1, 100);
    await count(expiredBlock, 2, 100, 1, 200);
    await count(live, 1, MINUTE);
    await count(blocked, 2, 100, 1, MINUTE);
    await sleep(300);

    expect(await storage.sweepExpired()).toBeGreaterThanOrEqual(2);
    expect(await rowOf(expired)).toBeUndefined();
    expect(await rowOf(expiredBlock)).toBeUndefined();
    expect(await rowOf(live)).toEqual({ hits: 1 });
    expect(await rowOf(blocked)).toEqual({ hits: 2 });
  });

  it(`sweeps by itself every ${SWEEP_EVERY} counts, in the background`, async () => {
    const expired = freshKey();
    await count(expired, 1, 50);
    await sleep(100);
    await count(freshKey(), SWEEP_EVERY);
    // The sweep does not hold up the count that started it; shutdown waits for it.
    await storage.beforeApplicationShutdown();
    expect(await rowOf(expired)).toBeUndefined();
  });

  it('keeps its counters in an UNLOGGED table: no write-ahead log, emptied after a crash', async () => {
    const [{ persistence }] = await db.dataSource.query<{ persistence: string }[]>(
      `SELECT relpersistence AS persistence FROM pg_class WHERE relname = $1`,
      [RATE_LIMIT_COUNTERS_TABLE],
    );
    expect(persistence).toBe('u');
  });
});
