import { Client } from 'pg';
import { DataDirLockedError, EmbeddedPostgres } from '../../src/database/embedded-postgres';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { startTestApp } from '../support/test-app';
import { freshEmbeddedDataDir, testConfig } from '../support/test-config';

/** The embedded database is the default for development: it must keep data and refuse sharing. */
describe('embedded database (no DATABASE_URL)', () => {
  it('keeps every grid across a restart', async () => {
    const dataDir = freshEmbeddedDataDir();
    const env = { DATABASE_URL: undefined, DATA_DIR: dataDir };
    const first = await startTestApp(testConfig(env));
    const posted = await clientPost(first.baseUrl, JSON.stringify(clientBody({ secret: true })));
    const url = posted.json<{ url: string }>().url;
    const path = new URL(url).pathname;
    await first.close();

    const second = await startTestApp(testConfig(env));
    try {
      const got = await rawRequest(`${second.baseUrl}/get${path}`);
      expect(got.status).toBe(200);
      expect(got.json()).toEqual(clientBody().grid_data);
    } finally {
      await second.close();
    }
  });

  it('refuses at once to open a data folder another process is using', async () => {
    const dataDir = freshEmbeddedDataDir();
    const owner = new EmbeddedPostgres(dataDir);
    await owner.start();
    try {
      const started = Date.now();
      const intruder = new EmbeddedPostgres(dataDir);
      await expect(intruder.start()).rejects.toThrow(DataDirLockedError);
      await expect(intruder.start()).rejects.toThrow(
        `The embedded database in ${dataDir} (DATA_DIR) is already in use by process ${process.pid}`,
      );
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await owner.stop();
    }
    // Released on stop: the folder can be opened again.
    const again = new EmbeddedPostgres(dataDir);
    await again.start();
    await again.stop();
  });

  it('stops serving at once, and says why, when it loses the lock on its folder', async () => {
    const failures: string[] = [];
    const db = new EmbeddedPostgres(freshEmbeddedDataDir(), (reason) => failures.push(reason));
    const url = await db.start();
    const client = new Client({ connectionString: url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('SELECT 1');
      // The kernel never takes the lock from a live process: simulated on the lock's own socket.
      db['lock']!['server']!.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(failures).toEqual([expect.stringContaining('lost the lock on its data folder')]);
      await expect(client.query('CREATE TABLE written_after_the_loss (x int)')).rejects.toThrow();
      await expect(new Client({ connectionString: url }).connect()).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await client.end().catch(() => undefined);
      await db.stop();
    }
  });

  it('creates missing parent folders for DATA_DIR', async () => {
    const dataDir = `${freshEmbeddedDataDir()}/nested/deeper`;
    const db = new EmbeddedPostgres(dataDir);
    const url = await db.start();
    expect(url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    await db.stop();
  });
});
