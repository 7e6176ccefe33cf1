import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { runCli } from '../support/cli-process';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { ServerProcess } from '../support/server-process';
import { PrivatePostgres } from '../support/private-postgres';
import { startTestApp, type TestApp } from '../support/test-app';
import { testConfig, usingServer } from '../support/test-config';
import { serverDatabaseUrl } from '../support/test-database';

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

/**
 * The defaults fit Heroku's smallest plan (20 connections) with two web dynos, the release and a
 * one-off command: each web process holds at most DATABASE_POOL_MAX + 1 (its pool and the
 * listener), a command at most what it uses at once. Counted in pg_stat_activity, under load.
 */
(usingServer ? describe : describe.skip)('the connection budget at the defaults', () => {
  const name = `ipb-budget-${randomUUID().slice(0, 8)}`;
  // This worker's database, tagged so that its connections can be counted.
  let url: URL;
  let servers: ServerProcess[] = [];
  let db: Client;

  beforeAll(async () => {
    url = new URL(serverDatabaseUrl());
    url.searchParams.set('application_name', name);
    const env = { DATABASE_URL: url.toString() };
    servers = await Promise.all([ServerProcess.start(env), ServerProcess.start(env)]);
    db = new Client({ connectionString: serverDatabaseUrl() });
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await Promise.all(servers.map((s) => s.kill()));
  });

  it('two loaded web processes and a one-off command hold at most 2 x (4 + 1) + 2 connections', async () => {
    const held = async () =>
      Number(
        (
          await db.query<{ n: string }>(
            'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
            [name],
          )
        ).rows[0].n,
      );
    let most = 0;
    let load = true;
    const sampling = (async () => {
      while (load) {
        most = Math.max(most, await held());
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const body = JSON.stringify(clientBody());
    let requests = 0;
    const client = async (server: ServerProcess, i: number) => {
      for (let n = 0; n < 25; n++, requests++) {
        const res =
          (i + n) % 3 === 0
            ? await rawRequest(`${server.baseUrl}/recent`)
            : await clientPost(server.baseUrl, body);
        expect(res.status).toBeLessThan(400);
      }
    };
    const oneOff = runCli(['grid', 'hidden'], {
      DATABASE_URL: url.toString(),
      HASHIDS_PUBLIC_SALT: 'public',
      HASHIDS_SECRET_SALT: 'secret',
    });
    await Promise.all(
      servers.flatMap((server) => Array.from({ length: 24 }, (_, i) => client(server, i))),
    );
    expect((await oneOff).code).toBe(0);
    load = false;
    await sampling;
    console.log(
      `connection budget: at most ${most} connections held by 2 web processes (${requests} ` +
        'requests, 24 at a time on each) and a one-off `grid hidden`',
    );
    expect(most).toBeGreaterThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(2 * (4 + 1) + 2);
  }, 180_000);
});
