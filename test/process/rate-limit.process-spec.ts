import { Client } from 'pg';
import { EXAMPLE_503 } from '../../src/grid-api/api-examples';
import { GridsRepository } from '../../src/grid-storage/grids.repository';
import {
  COUNTER_ANSWER_MS,
  RATE_LIMIT_COUNTERS_TABLE,
} from '../../src/rate-limit/postgres-throttler.storage';
import { clientBody } from '../support/grid-factory';
import { clientPostFrom, newClientAddress, type RawResponse } from '../support/http';
import { startProxiedDatabase, type ProxiedDatabase } from '../support/proxied-database';
import { ServerProcess } from '../support/server-process';
import { startTestApp, type TestApp } from '../support/test-app';
import { freshEmbeddedDataDir, testConfig, usingServer } from '../support/test-config';
import { serverDatabaseUrl } from '../support/test-database';

const postFrom = (baseUrl: string, address: string): Promise<RawResponse> =>
  clientPostFrom(baseUrl, address, JSON.stringify(clientBody()));

function expectLimited(res: RawResponse, limit: number): void {
  expect(res.status).toBe(429);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
  expect(res.json<{ message: string }>().message).toContain(
    `at most ${limit} a minute (POST_RATE_LIMIT)`,
  );
}

// The embedded database serves one process; the limit across processes is a server's matter.
(usingServer ? describe : describe.skip)('two web processes on one database', () => {
  const LIMIT = 5;
  let a: ServerProcess;
  let b: ServerProcess;
  let sql: Client;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      ServerProcess.start({ POST_RATE_LIMIT: String(LIMIT) }),
      ServerProcess.start({ POST_RATE_LIMIT: String(LIMIT) }),
    ]);
    sql = new Client({ connectionString: serverDatabaseUrl() });
    await sql.connect();
  });
  afterAll(async () => {
    await Promise.all([a?.kill(), b?.kill()]);
    await sql?.end();
  });

  it('allow exactly POST_RATE_LIMIT posts a minute in total to a client posting to both in turn', async () => {
    const address = newClientAddress();
    const answers: RawResponse[] = [];
    for (let i = 0; i < LIMIT + 4; i++)
      answers.push(await postFrom((i % 2 ? b : a).baseUrl, address));

    expect(answers.map((r) => r.status)).toEqual([
      ...Array<number>(LIMIT).fill(200),
      ...Array<number>(4).fill(429),
    ]);
    // Both processes took posts, and both refuse the next ones.
    for (const r of answers.slice(LIMIT)) expectLimited(r, LIMIT);
    // Another client has its own allowance on either process.
    expect((await postFrom(b.baseUrl, newClientAddress())).status).toBe(200);
  });

  it('allow posts again on both once the window is over', async () => {
    const address = newClientAddress();
    for (let i = 0; i < LIMIT; i++) {
      expect((await postFrom((i % 2 ? b : a).baseUrl, address)).status).toBe(200);
    }
    expectLimited(await postFrom(a.baseUrl, address), LIMIT);

    // A minute passes for the counters (the block started at the refused post ran a minute).
    await sql.query(
      `UPDATE ${RATE_LIMIT_COUNTERS_TABLE} SET resets_at = resets_at - interval '61 s'`,
    );
    expect((await postFrom(b.baseUrl, address)).status).toBe(200);
    expect((await postFrom(a.baseUrl, address)).status).toBe(200);
  });
});

describe('the limit on one process', () => {
  it('is counted in the database: a process started on it after another knows its counts', async () => {
    const dataDir = usingServer ? undefined : freshEmbeddedDataDir();
    const env = { POST_RATE_LIMIT: '3', ...(dataDir && { DATA_DIR: dataDir }) };
    const address = newClientAddress();

    const first = await startTestApp(testConfig(env));
    try {
      for (let i = 0; i < 3; i++) expect((await postFrom(first.baseUrl, address)).status).toBe(200);
    } finally {
      await first.close();
    }
    const second = await startTestApp(testConfig(env));
    try {
      expectLimited(await postFrom(second.baseUrl, address), 3);
    } finally {
      await second.close();
    }
  });
});

describe('the limit while the database is away', () => {
  let db: ProxiedDatabase;
  let t: TestApp;
  let grids: GridsRepository;

  beforeAll(async () => {
    db = await startProxiedDatabase();
    t = await startTestApp(testConfig({ ...db.env, POST_RATE_LIMIT: '50' }));
    grids = t.app.get(GridsRepository);
  });
  afterEach(async () => {
    db.proxy.thaw();
    await db.proxy.start().catch(() => undefined);
  });
  afterAll(async () => {
    await t?.close();
    await db?.stop();
  });

  it('answers a post the 503 with Retry-After a post gets, never a 500, when the database is down', async () => {
    const address = newClientAddress();
    expect((await postFrom(t.baseUrl, address)).status).toBe(200);
    await db.proxy.stop();
    const res = await postFrom(t.baseUrl, address);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual(EXAMPLE_503);
    await db.proxy.start();
    expect((await postFrom(t.baseUrl, address)).status).toBe(200);
  });

  it('answers 503 within the connection wait and a second when the count gets no answer; nothing is stored', async () => {
    const address = newClientAddress();
    expect((await postFrom(t.baseUrl, address)).status).toBe(200);
    const before = await grids.count('public');

    db.proxy.freezeAfter(new RegExp(RATE_LIMIT_COUNTERS_TABLE));
    const started = Date.now();
    const res = await postFrom(t.baseUrl, address);
    const ms = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual(EXAMPLE_503);
    expect(ms).toBeGreaterThanOrEqual(COUNTER_ANSWER_MS - 50);
    // DATABASE_CONNECT_TIMEOUT_MS (1 s here) plus the second the count's answer gets.
    expect(ms).toBeLessThan(1000 + COUNTER_ANSWER_MS + 500);

    db.proxy.thaw();
    // The connection the count waited on was dropped; the next post gets a new one.
    expect((await postFrom(t.baseUrl, address)).status).toBe(200);
    expect(await grids.count('public')).toBe(before + 1);
  });
});
