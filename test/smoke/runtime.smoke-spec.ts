import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli-process';
import { clientPostFixtures } from '../support/fixtures';
import { clientPost, rawRequest } from '../support/http';
import { LEGACY_SAMPLE, manifest } from '../support/legacy-sample';
import { ServerProcess } from '../support/server-process';
import { usingServer } from '../support/test-config';
import { serverDatabaseUrl } from '../support/test-database';

/**
 * What a Node version must run for the site to work on it, once, on the build: the legacy import
 * (SQLite's driver), the server (the embedded database's WebAssembly, sharp's PNGs, the worker
 * threads), a post and its reads. CI runs this ring on the machine's Node 20, the line the README
 * still promises; every other ring runs on Node 24.
 */
describe('the build on this Node version', () => {
  const folder = mkdtempSync(join(tmpdir(), 'ipb-smoke-'));
  const dataDir = join(folder, 'data');
  const database = usingServer
    ? { DATABASE_URL: serverDatabaseUrl(), DATA_DIR: undefined }
    : { DATA_DIR: dataDir };
  const salts = { HASHIDS_PUBLIC_SALT: 'public', HASHIDS_SECRET_SALT: 'secret' };
  let server: ServerProcess | undefined;

  afterAll(() => server?.kill());

  it('imports the legacy sample, then serves it and takes a post', async () => {
    const rejects = join(folder, 'rejects.jsonl');
    const imported = await runCli(['import-sqlite', LEGACY_SAMPLE, '--rejects', rejects], {
      ...database,
      ...salts,
    });
    // The sample holds rows the import rejects on purpose (exit 1); a run that stopped is 2.
    expect(imported.code === 0 || imported.code === 1).toBe(true);
    expect(imported.stdout).toContain('imported');

    server = await ServerProcess.start(database);
    const row = manifest.rows.find((r) => r.table === 'public_grids' && r.quirks.length === 0)!;
    expect((await rawRequest(`${server.baseUrl}/get/${row.hashid}`)).status).toBe(200);

    const fixture = clientPostFixtures[0];
    const posted = await clientPost(server.baseUrl, fixture.body);
    expect(posted.status).toBe(200);
    const url = new URL(posted.json<{ url: string }>().url);
    const id = url.pathname.split('/').pop()!;
    const prefix = fixture.secret ? '/secret' : '';
    const got = await rawRequest(`${server.baseUrl}/get${prefix}/${id}`);
    expect(got.json()).toEqual(fixture.grid_data);
    const page = await rawRequest(`${server.baseUrl}${prefix}/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<table');
    const png = await rawRequest(`${server.baseUrl}${prefix}/${id}.png`);
    expect(png.status).toBe(200);
    expect(png.body.subarray(1, 4).toString('latin1')).toBe('PNG');
  }, 120_000);
});
