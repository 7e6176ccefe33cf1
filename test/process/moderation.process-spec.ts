import { gridRoutes } from '../support/grid-routes';
import { Client } from 'pg';
import { EXAMPLE_410 } from '../../src/grid-api/api-examples';
import { runCli, type CliResult } from '../support/cli-process';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { startProxiedDatabase, type ProxiedDatabase } from '../support/proxied-database';
import { ServerProcess } from '../support/server-process';
import { freshEmbeddedDataDir, usingServer } from '../support/test-config';
import { serverDatabaseUrl } from '../support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SALTS = { HASHIDS_PUBLIC_SALT: 'public', HASHIDS_SECRET_SALT: 'secret' };

async function post(server: ServerProcess, secret = false): Promise<string> {
  const res = await clientPost(server.baseUrl, JSON.stringify(clientBody({ secret })));
  expect(res.status).toBe(200);
  return new URL(res.json<{ url: string }>().url).pathname;
}

async function statuses(server: ServerProcess, paths: string[]): Promise<number[]> {
  return Promise.all(paths.map(async (p) => (await rawRequest(`${server.baseUrl}${p}`)).status));
}

/** Polls `path` until it answers `status`; when it first did (Date.now()). */
async function firstAnswer(server: ServerProcess, path: string, status: number): Promise<number> {
  for (;;) {
    if ((await rawRequest(`${server.baseUrl}${path}`)).status === status) return Date.now();
    await sleep(5);
  }
}

/**
 * Moderation across processes: two web processes on one Postgres database, the `grid` command
 * run beside them. The embedded database's side is in moderation-embedded.process-spec.ts.
 */
(usingServer ? describe : describe.skip)('hiding a grid, with two web processes', () => {
  const grid = (args: string[]) =>
    runCli(['grid', ...args], { DATABASE_URL: serverDatabaseUrl(), ...SALTS });
  let servers: ServerProcess[] = [];
  let db: Client;

  beforeAll(async () => {
    servers = await Promise.all([ServerProcess.start(), ServerProcess.start()]);
    db = new Client({ connectionString: serverDatabaseUrl() });
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await Promise.all(servers.map((s) => s.kill()));
  });

  it('answers 410 on every route of the grid on both processes within a second, cached answers included; never random, never recent; unhide brings it back', async () => {
    const [a, b] = servers;
    for (let i = 0; i < 3; i++) await post(i % 2 ? a : b);
    const target = await post(a);
    const secret = await post(b, true);
    const routes = (server: ServerProcess) => [
      ...gridRoutes(server.baseUrl, target),
      ...gridRoutes(server.baseUrl, secret),
    ];
    // Both processes have made and kept every answer.
    for (const server of servers) {
      expect(await statuses(server, routes(server))).toEqual(routes(server).map(() => 200));
    }

    // This test listens too: when the commit is announced, as a yardstick for the processes.
    await db.query('LISTEN grid_moderation');
    const announced = new Promise<number>((resolve) =>
      db.once('notification', () => resolve(Date.now())),
    );
    const polls = servers.map((s) => firstAnswer(s, target, 410));
    const hide = await grid(['hide', `http://www.ipythonblocks.org${target}`, '--reason', 'spam']);
    expect(hide).toMatchObject({ code: 0, stderr: '' });
    expect(hide.stdout).toContain(`hidden: public grid ${target.slice(1)}`);
    const hideSecret = await grid(['hide', `/get${secret}`, '-r', 'personal data']);
    expect(hideSecret.code).toBe(0);

    const [{ hidden_at: hiddenAt }] = (
      await db.query<{ hidden_at: Date }>(
        `SELECT hidden_at FROM hidden_grids WHERE visibility = 'public' ORDER BY hidden_at DESC LIMIT 1`,
      )
    ).rows;
    const seen = await Promise.all(polls);
    const heard = await announced;
    const lagMs = seen.map((t) => t - hiddenAt.getTime());
    console.log(
      `hide -> 410 on both processes: ${lagMs.join(' ms, ')} ms after the hiding transaction ` +
        `began; ${seen.map((t) => t - heard).join(' ms, ')} ms after this test heard its NOTIFY`,
    );
    expect(Math.max(...lagMs)).toBeLessThan(1000);
    await expectEverywhere(routes, 410, hideSecret);

    const page = await rawRequest(`${a.baseUrl}${target}`, { headers: { Accept: 'text/html' } });
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('This grid has been taken down');
    expect(page.text).not.toContain('spam');
    const json = await rawRequest(`${b.baseUrl}/get${target}`);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json()).toEqual({ ...EXAMPLE_410, message: expect.any(String) as string });
    expect(json.json<{ message: string }>().message).toBe(
      `The grid "${target.slice(1)}" has been taken down`,
    );

    for (let i = 0; i < 1000; i++) {
      const res = await rawRequest(`${servers[i % 2].baseUrl}/random`);
      expect(res.status).toBe(303);
      expect(res.headers.location).not.toBe(target);
    }
    for (const server of servers) {
      expect((await rawRequest(`${server.baseUrl}/recent`)).text).not.toContain(target);
    }

    const listed = await grid(['hidden']);
    expect(listed.stdout).toMatch(new RegExp(`${target} +spam\\n`));
    expect(listed.stdout).toMatch(new RegExp(`${secret} +personal data\\n`));

    const unhide = await grid(['unhide', target.slice(1)]);
    expect(unhide.code).toBe(0);
    const unhideSecret = await grid(['unhide', `secret/${secret.split('/')[2]}`]);
    expect(unhideSecret.code).toBe(0);
    await expectEverywhere(routes, 200, unhideSecret);
    for (const server of servers) {
      expect((await rawRequest(`${server.baseUrl}/recent`)).text).toContain(target);
    }
  }, 180_000);

  /** Within a second of the command's exit, both processes answer `status` on every route. */
  async function expectEverywhere(
    routesOf: (server: ServerProcess) => string[],
    status: number,
    after: CliResult,
  ) {
    const deadline = after.exitedAt + 1000;
    for (const server of servers) {
      const routes = routesOf(server);
      let answers = await statuses(server, routes);
      while (answers.some((s) => s !== status) && Date.now() < deadline) {
        await sleep(20);
        answers = await statuses(server, routes);
      }
      expect(answers.map((s, i) => `${routes[i]} ${s}`)).toEqual(
        routes.map((r) => `${r} ${status}`),
      );
    }
  }

  describe('a process cut off from the database', () => {
    let proxied: ProxiedDatabase;
    let cutOff: ServerProcess;
    beforeAll(async () => {
      proxied = await startProxiedDatabase();
      cutOff = await ServerProcess.start(proxied.env);
    }, 120_000);
    afterAll(async () => {
      await cutOff?.kill();
      await proxied?.stop();
    });

    it('reads the hidden grids again when it reconnects, and drops what it had cached of them', async () => {
      const target = await post(cutOff);
      const routes = gridRoutes(cutOff.baseUrl, target);
      expect(await statuses(cutOff, routes)).toEqual(routes.map(() => 200));

      await proxied.proxy.stop();
      const hide = await grid(['hide', target.slice(1), '--reason', 'hidden while cut off']);
      expect(hide.code).toBe(0);
      // The notification went nowhere: this process could not hear it.
      await sleep(500);
      const restored = Date.now();
      await proxied.proxy.start();

      const seen = await firstAnswer(cutOff, target, 410);
      console.log(
        `reconnected process answers 410 ${seen - restored} ms after the database is back`,
      );
      expect(seen - restored).toBeLessThan(10_000);
      expect(await statuses(cutOff, routes)).toEqual(routes.map(() => 410));
      // The log is written in 4 KB chunks: request lines push it out.
      for (let i = 0; i < 200 && !/Hidden grids read again/.test(cutOff.output); i++) {
        await rawRequest(`${cutOff.baseUrl}/health`);
      }
      expect(cutOff.output).toMatch(/The connection listening for hidden grids was lost/);
      expect(cutOff.output).toMatch(/Hidden grids read again: \d+ hidden/);

      const unhide = await grid(['unhide', target.slice(1)]);
      expect(unhide.code).toBe(0);
      expect((await firstAnswer(cutOff, target, 200)) - unhide.exitedAt).toBeLessThan(1000);
    }, 120_000);
  });
});

/** The command's answers to what names no grid, on either database. */
describe('the grid command with bad input', () => {
  const env = () =>
    usingServer
      ? { DATABASE_URL: serverDatabaseUrl(), ...SALTS }
      : { DATA_DIR: freshEmbeddedDataDir(), ...SALTS };

  it.each([
    [['grid', 'hide', 'http://example.org/about/us', '--reason', 'x'], 2, /not a grid URL or id/],
    [['grid', 'hide', 'bizkiL'], 2, /--reason "\.\.\." must say why the grid is hidden/],
    [['grid', 'hide', 'bizkiL', '--reason', '  '], 2, /--reason "\.\.\." must say why/],
    [['grid', 'show', 'zzzzzz'], 1, /no public grid has the id zzzzzz/],
    [['grid', 'unhide', 'secret/zzzzzz'], 1, /no secret grid has the id zzzzzz/],
    [['grid'], 2, /grid hide\|unhide\|show\|hidden/],
  ])(
    '%j exits %i saying what is wrong',
    async (args, code, says) => {
      const run = await runCli(args, env());
      expect(run.code).toBe(code);
      expect(run.stderr).toMatch(says);
      expect(run.stdout).toBe('');
    },
    60_000,
  );
});
