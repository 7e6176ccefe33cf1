import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { EXAMPLE_503_STORAGE_FULL } from '../../src/grid-api/api-examples';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import { clientBody } from '../support/grid-factory';
import { clientPost, RawResponse, rawRequest } from '../support/http';
import { PrivatePostgres } from '../support/private-postgres';
import { ServerProcess } from '../support/server-process';
import { startTestApp, TestApp } from '../support/test-app';
import { EMBEDDED_TEMPLATE_ENV, testConfig, usingServer } from '../support/test-config';
import { Tmpfs } from '../support/tmpfs';

const MB = 1024 * 1024;

function pathOf(posted: RawResponse): string {
  return new URL(posted.json<{ url: string }>().url).pathname;
}

interface HealthBody {
  error: Record<string, { status: string; message?: string }>;
  info: Record<string, { status: string }>;
}

/** /health: 503 with the storage down (its message matching `message`) and the database up. */
function expectStorageDown(res: RawResponse, message: RegExp | string): void {
  expect(res.status).toBe(503);
  const body = res.json<HealthBody>();
  expect(body.error.storage.status).toBe('down');
  expect(body.error.storage.message).toMatch(message);
  expect(body.info.database).toEqual({ status: 'up' });
}

function expectStorageFull(res: RawResponse): void {
  expect(res.status).toBe(503);
  expect(res.json<{ message: string }>().message).toMatch(/Storage is full/);
  expect(res.json<{ message: string }>().message).toMatch(/no space left on device/);
  // A full disk is not over in a few seconds: no Retry-After promising it is.
  expect(res.headers['retry-after']).toBeUndefined();
}

const describeEmbedded = usingServer ? describe.skip : describe;
const describeServer = usingServer ? describe : describe.skip;

/** A Postgres server of the test's own whose disk (a tmpfs) the test fills up and frees. */
describeServer('a full disk under a Postgres server', () => {
  let disk: Tmpfs;
  let postgres: PrivatePostgres | undefined;
  let t: TestApp | undefined;

  beforeAll(async () => {
    disk = Tmpfs.mount(128);
    postgres = await PrivatePostgres.start(join(disk.path, 'server'));
    t = await startTestApp(testConfig({ DATABASE_URL: postgres.url, DATABASE_SSL: 'false' }));
  });
  afterAll(async () => {
    await t?.close();
    postgres?.stop();
    disk?.unmount();
  });

  it('answers 503 "storage full" (disk_full, SQLSTATE 53100) without Retry-After, reports it on /health, serves reads, and takes posts again once space is freed', async () => {
    const before = await clientPost(t!.baseUrl, JSON.stringify(clientBody()));
    expect(before.status).toBe(200);

    disk.fill(64 * 1024);
    const full = await clientPost(t!.baseUrl, JSON.stringify(clientBody({}, 120, 120)));
    expectStorageFull(full);
    // As the API documentation shows it.
    expect(full.json()).toEqual(EXAMPLE_503_STORAGE_FULL);
    expectStorageDown(await rawRequest(`${t!.baseUrl}/health`), /no space left on device/);
    expect((await rawRequest(`${t!.baseUrl}/get${pathOf(before)}`)).status).toBe(200);

    disk.unfill();
    expect((await clientPost(t!.baseUrl, JSON.stringify(clientBody({}, 120, 120)))).status).toBe(
      200,
    );
    expect((await rawRequest(`${t!.baseUrl}/health`)).status).toBe(200);
  });
});

/** The embedded database on a disk of its own (a tmpfs) that the test fills up and frees. */
describeEmbedded('a full disk under the embedded database', () => {
  let disk: Tmpfs;
  let dataDir: string;
  const servers: ServerProcess[] = [];
  const start = async (env: NodeJS.ProcessEnv = {}) => {
    const server = await ServerProcess.start({
      DATABASE_URL: undefined,
      DATA_DIR: dataDir,
      ...env,
    });
    servers.push(server);
    return server;
  };
  const acknowledged: string[] = [];

  beforeAll(() => {
    disk = Tmpfs.mount(160);
    dataDir = join(disk.path, 'data');
    // A migrated database (about 40 MB, most of it the first write-ahead-log file).
    cpSync(process.env[EMBEDDED_TEMPLATE_ENV]!, dataDir, { recursive: true });
  });
  afterAll(async () => {
    for (const server of servers) await server.kill();
    disk?.unmount();
  });

  it('refuses posts with 503 "storage full" below the free-space floor, keeps serving reads, reports it on /health, and takes posts again once space is freed', async () => {
    const server = await start();
    const before = await clientPost(server.baseUrl, JSON.stringify(clientBody()));
    expect(before.status).toBe(200);
    acknowledged.push(pathOf(before));

    // Below the 64 MB floor, still far from full.
    disk.fill(32 * MB);
    expectStorageFull(await clientPost(server.baseUrl, JSON.stringify(clientBody())));
    expectStorageDown(await rawRequest(`${server.baseUrl}/health`), `DATA_DIR=${dataDir}`);
    expect((await rawRequest(`${server.baseUrl}/get${acknowledged[0]}`)).status).toBe(200);

    disk.unfill();
    const after = await clientPost(server.baseUrl, JSON.stringify(clientBody()));
    expect(after.status).toBe(200);
    acknowledged.push(pathOf(after));
    expect((await rawRequest(`${server.baseUrl}/health`)).status).toBe(200);

    server.child.kill('SIGTERM');
    expect((await server.waitForExit(10_000)).code).toBe(0);
  }, 120_000);

  it('answers 503 "storage full" when a write finds the disk full, then stops the database and exits non-zero; a restart after freeing space has every acknowledged post', async () => {
    // No floor: PGlite itself runs into the full disk.
    const server = await start({ DATA_DIR_MIN_FREE_MB: '0' });
    disk.fill(64 * 1024);
    const big = JSON.stringify(clientBody({}, 120, 120));
    const full = await clientPost(server.baseUrl, big);
    expectStorageFull(full);
    expect(full.json()).toEqual(EXAMPLE_503_STORAGE_FULL);

    const { code } = await server.waitForExit(15_000);
    expect(code).not.toBe(0);
    const stopped = server
      .jsonLines()
      .filter((l) => /stopped: no space left on device/.test(String(l.msg)));
    expect(stopped.length).toBeGreaterThan(0);

    disk.unfill();
    const restarted = await start();
    for (const path of acknowledged) {
      expect((await rawRequest(`${restarted.baseUrl}/get${path}`)).status).toBe(200);
    }
    expect((await clientPost(restarted.baseUrl, big)).status).toBe(200);
    restarted.child.kill('SIGTERM');
    expect((await restarted.waitForExit(10_000)).code).toBe(0);
  }, 120_000);

  it('after a write-ahead-log write finds the disk full, lets no query reach PGlite again (the next one would never return)', async () => {
    const folder = join(disk.path, 'wal');
    cpSync(process.env[EMBEDDED_TEMPLATE_ENV]!, folder, { recursive: true });
    const failures: string[] = [];
    const db = new EmbeddedPostgres(folder, (reason) => failures.push(reason));
    const client = new Client({ connectionString: await db.start() });
    client.on('error', () => undefined);
    await client.connect();
    try {
      disk.fill(64 * 1024);
      // The next write needs a new 16 MB log file, which the disk has no room for.
      await client.query('SELECT pg_switch_wal()');
      await expect(client.query('CREATE TABLE t (x int)')).rejects.toMatchObject({
        code: '53100',
      });
      expect(failures).toEqual([expect.stringMatching(/no space left on device/)]);
      // Without the guard PGlite spins here, and the event loop with it.
      await expect(client.query('SELECT 1')).rejects.toThrow();
    } finally {
      await client.end().catch(() => undefined);
      await db.stop();
      disk.unfill();
    }
  });

  it('at first start on a full disk, says in one line that DATA_DIR has no space left, and exits non-zero', async () => {
    const fresh = join(disk.path, 'fresh');
    mkdirSync(fresh);
    disk.fill(1 * MB);
    try {
      const server = await ServerProcess.spawn({ DATABASE_URL: undefined, DATA_DIR: fresh });
      servers.push(server);
      const { code } = await server.waitForExit(60_000);
      expect(code).not.toBe(0);
      const lines = server.jsonLines();
      const told = lines.filter((l) => String(l.msg).includes(`DATA_DIR=${fresh}`));
      expect(told).toHaveLength(1);
      expect(told[0].msg).toMatch(/no space left on device/);
    } finally {
      disk.unfill();
    }
  }, 90_000);
});
