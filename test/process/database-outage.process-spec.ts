import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { EXAMPLE_503, EXAMPLE_504 } from '../../src/grid-api/api-examples';
import { GridsRepository } from '../../src/grid-storage/grids.repository';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { startProxiedDatabase } from '../support/proxied-database';
import type { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, TestApp } from '../support/test-app';
import { testConfig, usingServer } from '../support/test-config';
import { serverDatabaseUrl } from '../support/test-database';

interface AppBehindProxy {
  t: TestApp;
  proxy: TcpProxy;
  close(): Promise<void>;
}

/**
 * The app reaching its database (the local server, or an embedded PGlite) through a proxy the
 * test can cut or freeze.
 */
async function startAppBehindProxy(env: Record<string, string> = {}): Promise<AppBehindProxy> {
  const db = await startProxiedDatabase();
  const t = await startTestApp(testConfig({ ...db.env, ...env }));
  return {
    t,
    proxy: db.proxy,
    close: async () => {
      db.proxy.thaw();
      await db.proxy.start().catch(() => undefined);
      await t.close();
      await db.stop();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds (the database catching up after a thaw), or fails after 10 s. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error('condition not met within 10 s');
}

describe('database outage', () => {
  let app: AppBehindProxy;
  beforeAll(async () => {
    app = await startAppBehindProxy();
  });
  afterAll(() => app?.close());

  it('answers 503 while the database is down and recovers by itself', async () => {
    const { t, proxy } = app;
    const body = JSON.stringify(clientBody());
    const before = await clientPost(t.baseUrl, body);
    expect(before.status).toBe(200);
    const hashId = before.json<{ url: string }>().url.split('/').pop()!;

    await proxy.stop();

    const post = await clientPost(t.baseUrl, body);
    expect(post.status).toBe(503);
    expect(post.headers['retry-after']).toBe('5');
    expect(post.json<{ message: string }>().message).toMatch(/database is unavailable/);

    const get = await rawRequest(`${t.baseUrl}/get/${hashId}`);
    expect(get.status).toBe(503);

    const health = await rawRequest(`${t.baseUrl}/health`);
    expect(health.status).toBe(503);
    expect(health.json()).toMatchObject({
      status: 'error',
      error: { database: { status: 'down' } },
    });

    // Every post is counted in the database (the rate limit) before its body is read: bad input
    // too is told to come back, and is judged then.
    const bad = await clientPost(t.baseUrl, '{"nope"');
    expect(bad.status).toBe(503);
    expect(bad.headers['retry-after']).toBe('5');

    await proxy.start();

    const after = await clientPost(t.baseUrl, body);
    expect(after.status).toBe(200);
    expect((await clientPost(t.baseUrl, '{"nope"')).status).toBe(400);
    expect((await rawRequest(`${t.baseUrl}/get/${hashId}`)).status).toBe(200);
    expect((await rawRequest(`${t.baseUrl}/health`)).status).toBe(200);
  });
});

/**
 * A post is one transaction (BEGIN, INSERT, COMMIT) with a time budget. A 503 "try again" is
 * only sent when the grid is certainly not stored (COMMIT never left); when COMMIT left and no
 * answer came, the answer says the outcome is unknown and where to look.
 */
describe('posts while the database stalls', () => {
  const STATEMENT_TIMEOUT_MS = 500;
  let app: AppBehindProxy;
  let grids: GridsRepository;
  let warn: jest.SpiedFunction<Logger['warn']>;

  beforeAll(async () => {
    app = await startAppBehindProxy({
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    });
    grids = app.t.app.get(GridsRepository);
  });
  afterAll(() => app?.close());
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn');
  });
  afterEach(async () => {
    warn.mockRestore();
    app.proxy.thaw();
    // The database catches up on what it was sent while frozen; the app reconnects.
    await eventually(async () => (await rawRequest(`${app.t.baseUrl}/health`)).status === 200);
  });

  /** Every warning logged during the test, one a line. */
  const warned = () => warn.mock.calls.map(([message]) => String(message)).join('\n');

  /** A post from the client, timed. */
  async function timedPost(body: unknown) {
    const started = Date.now();
    const res = await clientPost(app.t.baseUrl, JSON.stringify(body));
    return { res, ms: Date.now() - started };
  }

  it('answers 503 with Retry-After, within the budget, when the database freezes before the post; nothing is stored', async () => {
    expect((await timedPost(clientBody())).res.status).toBe(200);
    const before = await grids.count('public');

    app.proxy.freeze();
    const { res, ms } = await timedPost(clientBody());
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual(EXAMPLE_503);
    // The budget plus a second of grace, plus a connection attempt at most: not Heroku's 30 s.
    expect(ms).toBeLessThan(STATEMENT_TIMEOUT_MS + 1000 + 1000 + 1500);

    app.proxy.thaw();
    await sleep(500);
    await eventually(async () => (await rawRequest(`${app.t.baseUrl}/health`)).status === 200);
    expect(await grids.count('public')).toBe(before);
  });

  it('answers 503 when the database got the INSERT but its answer never came: without COMMIT nothing is stored', async () => {
    const before = await grids.count('public');
    app.proxy.freezeAfter(/INSERT INTO "?public_grids/);
    const { res } = await timedPost(clientBody());
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');

    app.proxy.thaw();
    await sleep(500);
    await eventually(async () => (await rawRequest(`${app.t.baseUrl}/health`)).status === 200);
    expect(await grids.count('public')).toBe(before);
  });

  it('answers 504, "may or may not have been stored", with the URL to check, when COMMIT got no answer', async () => {
    const before = await grids.count('secret');
    const body = clientBody({ secret: true, code_cells: ['# outcome unknown'] });
    app.proxy.freezeAfter(/COMMIT/);
    const { res } = await timedPost(body);
    expect(res.status).toBe(504);
    expect(res.headers['retry-after']).toBeUndefined();
    const answer = res.json<{ message: string; url: string }>();
    expect(answer.url).toMatch(new RegExp(`^${app.t.baseUrl}/secret/\\w{6,}$`));
    expect(answer.message).toContain('may or may not have been stored');
    // The documented example, with this grid's URL.
    expect(answer).toEqual({
      ...EXAMPLE_504,
      message: EXAMPLE_504.message.replace(EXAMPLE_504.url, answer.url),
      url: answer.url,
    });

    // Logged as a warning, with the request id and the grid's id.
    const requestId = res.headers['x-request-id'] as string;
    const logged = warned();
    expect(logged).toContain(requestId);
    expect(logged).toMatch(/secret grid id \d+/);

    // COMMIT reached the database, so here the grid was stored: a 503 "try again" would have
    // made a duplicate. The URL the answer gave says so.
    app.proxy.thaw();
    await eventually(async () => (await rawRequest(`${app.t.baseUrl}/health`)).status === 200);
    const hashId = answer.url.split('/').pop()!;
    const got = await rawRequest(`${app.t.baseUrl}/get/secret/${hashId}`);
    expect(got.status).toBe(200);
    expect(got.json()).toEqual(body.grid_data);
    expect(await grids.count('secret')).toBe(before + 1);
  });

  // PGlite runs no statement timers, and serves one connection: there is no one to hold a lock.
  (usingServer ? it : it.skip)(
    'answers 503 when Postgres cancels a post that waits too long (statement_timeout), before the app gives up',
    async () => {
      const before = await grids.count('public');
      const locker = new Client({ connectionString: serverDatabaseUrl() });
      await locker.connect();
      try {
        // SHARE conflicts with the ROW EXCLUSIVE lock an INSERT takes: the post waits.
        await locker.query('BEGIN; LOCK TABLE public_grids IN SHARE MODE');
        const { res, ms } = await timedPost(clientBody());
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('5');
        expect(ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 50);
        expect(ms).toBeLessThan(STATEMENT_TIMEOUT_MS + 1000);
        const logged = warned();
        expect(logged).toContain('canceling statement due to statement timeout');
      } finally {
        await locker.query('ROLLBACK');
        await locker.end();
      }
      expect(await grids.count('public')).toBe(before);
    },
  );

  it('posts normally after the thaw, on a new connection where the old one was dropped', async () => {
    for (let i = 0; i < 3; i++) {
      const { res } = await timedPost(clientBody());
      expect(res.status).toBe(200);
      const path = new URL(res.json<{ url: string }>().url).pathname;
      expect((await rawRequest(`${app.t.baseUrl}/get${path}`)).status).toBe(200);
    }
  });
});
