import { DataDirLockedError, EmbeddedPostgres } from '../src/database/embedded-postgres';
import { clientBody } from './support/grid-factory';
import { clientPost, rawRequest } from './support/http';
import { startTestApp } from './support/test-app';
import { freshEmbeddedDataDir, testConfig } from './support/test-config';

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
      await expect(intruder.start()).rejects.toThrow(/already in use by another process/);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await owner.stop();
    }
    // Released on stop: the folder can be opened again.
    const again = new EmbeddedPostgres(dataDir);
    await again.start();
    await again.stop();
  });

  it('creates missing parent folders for DATA_DIR', async () => {
    const dataDir = `${freshEmbeddedDataDir()}/nested/deeper`;
    const db = new EmbeddedPostgres(dataDir);
    const url = await db.start();
    expect(url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    await db.stop();
  });
});
