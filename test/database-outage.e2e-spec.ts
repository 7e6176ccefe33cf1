import { clientBody } from './support/grid-factory';
import { clientPost, rawRequest } from './support/http';
import { ProxiedDatabase, startProxiedDatabase } from './support/proxied-database';
import { startTestApp, TestApp } from './support/test-app';
import { testConfig } from './support/test-config';

/**
 * The app reaches its database through a proxy the test can cut, on the local server or on an
 * embedded PGlite: requests answer 503 while it is gone and succeed again once it is back,
 * with no restart.
 */
describe('database outage', () => {
  let db: ProxiedDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await startProxiedDatabase();
    t = await startTestApp(testConfig(db.env));
  });

  afterAll(async () => {
    await db.proxy.start().catch(() => undefined);
    await t?.close();
    await db.stop();
  });

  it('answers 503 while the database is down and recovers by itself', async () => {
    const body = JSON.stringify(clientBody());
    const before = await clientPost(t.baseUrl, body);
    expect(before.status).toBe(200);
    const hashId = before.json<{ url: string }>().url.split('/').pop()!;

    await db.proxy.stop();

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

    // Bad input is still judged without the database.
    const bad = await clientPost(t.baseUrl, '{"nope"');
    expect(bad.status).toBe(400);

    await db.proxy.start();

    const after = await clientPost(t.baseUrl, body);
    expect(after.status).toBe(200);
    expect((await rawRequest(`${t.baseUrl}/get/${hashId}`)).status).toBe(200);
    expect((await rawRequest(`${t.baseUrl}/health`)).status).toBe(200);
  });
});
