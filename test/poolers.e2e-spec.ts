import { Client } from 'pg';
import { runCli } from './support/cli-process';
import { LEGACY_SAMPLE } from './support/legacy-sample';
import { PgBouncer } from './support/pgbouncer';
import { usingServer } from './support/test-config';

const SALTS = { HASHIDS_PUBLIC_SALT: 'public', HASHIDS_SECRET_SALT: 'secret' };
const direct = process.env.TEST_DATABASE_URL!;

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
      await db.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY');
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
});
