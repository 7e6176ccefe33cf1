import { EmbeddedPostgres } from '../src/database/embedded-postgres';
import { clientBody } from './support/grid-factory';
import { clientPost, rawRequest } from './support/http';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp, TestApp } from './support/test-app';
import { freshEmbeddedDataDir, testConfig, usingServer } from './support/test-config';

/**
 * The app reaches its database through a proxy the test can cut, on the local server or on an
 * embedded PGlite: requests answer 503 while it is gone and succeed again once it is back,
 * with no restart.
 */
describe('database outage', () => {
  let embedded: EmbeddedPostgres | undefined;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    let target: URL;
    if (usingServer) {
      target = new URL(process.env.TEST_DATABASE_URL!);
    } else {
      embedded = new EmbeddedPostgres(freshEmbeddedDataDir());
      target = new URL(await embedded.start());
    }
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(target.toString());
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    t = await startTestApp(
      testConfig({
        DATABASE_URL: viaProxy.toString(),
        DATABASE_SSL: 'false',
        // PGlite serves one connection at a time.
        DATABASE_POOL_MAX: usingServer ? '4' : '1',
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        // PGlite keeps one session whatever the connection, as a transaction pooler would.
        DATABASE_PREPARED_STATEMENTS: usingServer ? 'true' : 'false',
      }),
    );
  });

  afterAll(async () => {
    await proxy.start().catch(() => undefined);
    await t?.close();
    await proxy.stop();
    await embedded?.stop();
  });

  it('answers 503 while the database is down and recovers by itself', async () => {
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

    // Bad input is still judged without the database.
    const bad = await clientPost(t.baseUrl, '{"nope"');
    expect(bad.status).toBe(400);

    await proxy.start();

    const after = await clientPost(t.baseUrl, body);
    expect(after.status).toBe(200);
    expect((await rawRequest(`${t.baseUrl}/get/${hashId}`)).status).toBe(200);
    expect((await rawRequest(`${t.baseUrl}/health`)).status).toBe(200);
  });
});
