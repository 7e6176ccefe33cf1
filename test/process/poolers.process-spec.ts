import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { runCli } from '../support/cli-process';
import { clientBody } from '../support/grid-factory';
import { gridRoutes } from '../support/grid-routes';
import { clientPost, rawRequest } from '../support/http';
import { LEGACY_SAMPLE } from '../support/legacy-sample';
import { PgBouncer } from '../support/pgbouncer';
import { ServerProcess } from '../support/server-process';
import { usingServer } from '../support/test-config';
import { serverDatabaseUrl } from '../support/test-database';

const SALTS = { HASHIDS_PUBLIC_SALT: 'public', HASHIDS_SECRET_SALT: 'secret' };
const direct = serverDatabaseUrl();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const NOT_HEARING = /Notifications of hides do not arrive/;

/** `url` with an application_name, to count its connections in pg_stat_activity. */
function named(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

async function statuses(server: ServerProcess, paths: string[]): Promise<number[]> {
  return Promise.all(paths.map(async (p) => (await rawRequest(`${server.baseUrl}${p}`)).status));
}

/** How long after `since` every route of the grid answered `status` on `server` (ms). */
async function allAnswer(
  server: ServerProcess,
  path: string,
  status: number,
  since: number,
  giveUpMs: number,
): Promise<number> {
  const routes = gridRoutes(server.baseUrl, path);
  for (;;) {
    const answers = await statuses(server, routes);
    if (answers.every((s) => s === status)) return Date.now() - since;
    if (Date.now() - since > giveUpMs) {
      throw new Error(
        `after ${giveUpMs} ms: ${routes.map((r, i) => `${r} ${answers[i]}`).join(', ')}`,
      );
    }
    await sleep(20);
  }
}

/**
 * Posts a grid, has every process make and cache every answer of it, hides it with the `grid`
 * command, then unhides it: how long each process took to answer 410, then 200 again, after
 * the command exited.
 */
async function hideAndUnhide(
  servers: ServerProcess[],
  cliEnv: NodeJS.ProcessEnv,
  giveUpMs: number,
): Promise<{ hide: number[]; unhide: number[] }> {
  const posted = await clientPost(servers[0].baseUrl, JSON.stringify(clientBody()));
  expect(posted.status).toBe(200);
  const path = new URL(posted.json<{ url: string }>().url).pathname;
  for (const server of servers) await allAnswer(server, path, 200, Date.now(), 10_000);
  const hide = await runCli(['grid', 'hide', path.slice(1), '--reason', 'spam'], cliEnv);
  expect(hide).toMatchObject({ code: 0, stderr: '' });
  const hidden = await Promise.all(
    servers.map((s) => allAnswer(s, path, 410, hide.exitedAt, giveUpMs)),
  );
  const unhide = await runCli(['grid', 'unhide', path.slice(1)], cliEnv);
  expect(unhide.code).toBe(0);
  const shown = await Promise.all(
    servers.map((s) => allAnswer(s, path, 200, unhide.exitedAt, giveUpMs)),
  );
  return { hide: hidden, unhide: shown };
}

/** Pushes a process's log out (it is written in chunks) until `pattern` shows, or 200 tries. */
async function flushUntil(server: ServerProcess, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 200 && !pattern.test(server.output); i++) {
    await rawRequest(`${server.baseUrl}/health`);
  }
}

/**
 * The app behind PgBouncer, as Heroku runs it: server-side pooling (DATABASE_CONNECTION_POOL_URL
 * beside a direct DATABASE_URL) and the on-dyno buildpack (DATABASE_URL itself the pooler), both
 * in transaction mode; and session mode. Server database only: PGlite is one process.
 */
(usingServer ? describe : describe.skip)('behind a connection pooler', () => {
  let db: Client;
  beforeAll(async () => {
    db = new Client({ connectionString: direct });
    await db.connect();
  });
  afterAll(() => db?.end());

  describe('import-sqlite through a transaction pooler', () => {
    let bouncer: PgBouncer;
    beforeAll(async () => {
      bouncer = await PgBouncer.start(direct, 'transaction', { poolSize: 3 });
    });
    afterAll(() => bouncer?.stop());

    it('imports every row in many batches and exits 0', async () => {
      await db.query('TRUNCATE public_grids, secret_grids, hidden_grids RESTART IDENTITY');
      const run = await runCli(
        ['import-sqlite', LEGACY_SAMPLE, '--batch-size', '25', '--rejects', '/dev/null'],
        { DATABASE_URL: bouncer.url, ...SALTS },
      );
      expect(run.stdout + run.stderr).not.toMatch(/pg_temp|does not exist/);
      expect(run).toMatchObject({ code: 0 });
      expect(run.stdout).toMatch(/result: OK/);
      const [{ n }] = (
        await db.query<{ n: number }>(
          'SELECT (SELECT count(*) FROM public_grids) + (SELECT count(*) FROM secret_grids) AS n',
        )
      ).rows;
      expect(Number(n)).toBe(400);
    }, 120_000);
  });

  describe('DATABASE_CONNECTION_POOL_URL: a transaction pooler beside the direct DATABASE_URL', () => {
    let bouncer: PgBouncer;
    let servers: ServerProcess[] = [];
    const directName = `ipb-direct-${randomUUID().slice(0, 8)}`;
    beforeAll(async () => {
      bouncer = await PgBouncer.start(direct, 'transaction', { poolSize: 4 });
      const env = {
        DATABASE_URL: named(direct, directName),
        DATABASE_CONNECTION_POOL_URL: bouncer.url,
      };
      servers = await Promise.all([ServerProcess.start(env), ServerProcess.start(env)]);
    }, 120_000);
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.kill()));
      await bouncer?.stop();
    });

    it('sends the queries through the pooler, listens on the direct URL, and hide/unhide reach both processes within 2 s', async () => {
      const lags = await hideAndUnhide(
        servers,
        { DATABASE_URL: direct, DATABASE_CONNECTION_POOL_URL: bouncer.url, ...SALTS },
        2000,
      );
      console.log(
        `pool URL (transaction pooler): hide -> 410 after ${lags.hide.join(', ')} ms; unhide -> 200 after ${lags.unhide.join(', ')} ms`,
      );
      expect(Math.max(...lags.hide, ...lags.unhide)).toBeLessThan(2000);
      // One direct connection each: the listener. Everything else went through the pooler.
      const { rows } = await db.query<{ n: string }>(
        'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
        [directName],
      );
      expect(Number(rows[0].n)).toBe(2);
      for (const server of servers) expect(server.output).not.toMatch(NOT_HEARING);
    }, 120_000);
  });

  describe('DATABASE_URL itself a transaction pooler (the PgBouncer buildpack)', () => {
    let bouncer: PgBouncer;
    let servers: ServerProcess[] = [];
    beforeAll(async () => {
      bouncer = await PgBouncer.start(direct, 'transaction', { poolSize: 4 });
      const env = { DATABASE_URL: bouncer.url };
      servers = await Promise.all([ServerProcess.start(env), ServerProcess.start(env)]);
    }, 120_000);
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.kill()));
      await bouncer?.stop();
    });

    it('notices that notifications do not arrive, says so once, and hide/unhide still reach both processes within 5 s', async () => {
      const cliEnv = { DATABASE_URL: bouncer.url, ...SALTS };
      const first = await hideAndUnhide(servers, cliEnv, 5000);
      const second = await hideAndUnhide(servers, cliEnv, 5000);
      const all = [...first.hide, ...first.unhide, ...second.hide, ...second.unhide];
      console.log(
        `DATABASE_URL a transaction pooler: hide -> 410 after ${[...first.hide, ...second.hide].join(', ')} ms; unhide -> 200 after ${[...first.unhide, ...second.unhide].join(', ')} ms`,
      );
      expect(Math.max(...all)).toBeLessThan(5000);
      for (const server of servers) {
        await flushUntil(server, NOT_HEARING);
        const warnings = server.jsonLines().filter((l) => NOT_HEARING.test(String(l.msg)));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatchObject({ level: 40 });
        expect(String(warnings[0].msg)).toMatch(/transaction-mode pooler/);
        expect(String(warnings[0].msg)).toMatch(/DATABASE_CONNECTION_POOL_URL/);
      }
    }, 180_000);
  });

  describe('DATABASE_URL a session-mode pooler', () => {
    let bouncer: PgBouncer;
    let servers: ServerProcess[] = [];
    beforeAll(async () => {
      bouncer = await PgBouncer.start(direct, 'session', { poolSize: 30 });
      servers = [await ServerProcess.start({ DATABASE_URL: bouncer.url })];
    }, 120_000);
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.kill()));
      await bouncer?.stop();
    });

    it('hears hides as a direct connection does: within 2 s, no polling', async () => {
      const lags = await hideAndUnhide(servers, { DATABASE_URL: bouncer.url, ...SALTS }, 2000);
      console.log(
        `session pooler: hide -> 410 after ${lags.hide.join(', ')} ms; unhide -> 200 after ${lags.unhide.join(', ')} ms`,
      );
      expect(Math.max(...lags.hide, ...lags.unhide)).toBeLessThan(2000);
      // Its first probe has been heard long since: no warning will come.
      await sleep(2500);
      await flushUntil(servers[0], NOT_HEARING);
      expect(servers[0].output).not.toMatch(NOT_HEARING);
    }, 120_000);
  });
});
