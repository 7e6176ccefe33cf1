import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { rawRequest } from './support/http';
import { PrivatePostgres } from './support/private-postgres';
import { startTestApp, type TestApp } from './support/test-app';
import { testConfig, usingServer } from './support/test-config';

/**
 * A database that refuses connections (Heroku's smallest plan allows 20): /health names the
 * database and the reason, not the check that happened to ask for the connection. A cluster of
 * the test's own, with a few slots to fill. Server runs only, as the other private clusters.
 */
(usingServer ? describe : describe.skip)('a database with no connection left', () => {
  let folder: string;
  let postgres: PrivatePostgres | undefined;
  let t: TestApp | undefined;
  const fillers: Client[] = [];

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ipb-budget-'));
    chmodSync(folder, 0o711);
    postgres = await PrivatePostgres.start(join(folder, 'server'), {
      max_connections: '6',
      superuser_reserved_connections: '0',
    });
    t = await startTestApp(testConfig({ DATABASE_URL: postgres.url }));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(fillers.map((c) => c.end().catch(() => undefined)));
    await t?.close();
    postgres?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers /health 503 with database: too many connections, and no schema problem', async () => {
    // Every slot but those the app holds already.
    for (;;) {
      const client = new Client({ connectionString: postgres!.url });
      try {
        await client.connect();
        fillers.push(client);
      } catch (err) {
        expect((err as { code?: string }).code).toBe('53300');
        break;
      }
    }
    const res = await rawRequest(`${t!.baseUrl}/health`);
    expect(res.status).toBe(503);
    const body = res.json<{ error: Record<string, { status: string; message?: string }> }>();
    expect(body.error).toEqual({ database: { status: 'down', message: 'too many connections' } });

    // Room again: healthy, schema checked.
    await fillers.pop()!.end();
    await fillers.pop()!.end();
    const again = await rawRequest(`${t!.baseUrl}/health`);
    expect(again.status).toBe(200);
    expect(again.json()).toMatchObject({ details: { schema: { status: 'up' } } });
  }, 60_000);
});
