import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/database-options';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import { freshEmbeddedDataDir, testConfig } from '../support/test-config';

/**
 * The first migration must adopt the tables the previous Python app created, rows and all.
 * Run on a private embedded database so dropping tables never touches a shared server.
 */
describe('migrations', () => {
  let db: EmbeddedPostgres;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = new EmbeddedPostgres(freshEmbeddedDataDir());
    const url = await db.start();
    dataSource = new DataSource({
      ...buildDataSourceOptions(testConfig({ DATABASE_URL: url, DATABASE_SSL: 'false' }), {
        url,
        embedded: false,
      }),
      extra: { max: 1 },
      logging: ['error'],
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.stop();
  });

  it('adopts the legacy app tables without touching a row, and reverts', async () => {
    // The legacy app's database: its two tables, nothing the migrations made.
    await dataSource.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    for (const table of ['public_grids', 'secret_grids']) {
      await dataSource.query(`CREATE TABLE ${table} (
        id serial PRIMARY KEY, ipb_version text NOT NULL, python_version jsonb NOT NULL,
        grid_data jsonb NOT NULL, code_cells jsonb NULL, ipb_class text NOT NULL,
        secret boolean NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    }
    await dataSource.query(
      `INSERT INTO public_grids (id, ipb_version, python_version, grid_data, code_cells, ipb_class, secret, created_at)
       VALUES (7, '1.7', '[2,7,6,"final",0]', '{"lines_on":true,"width":1,"height":1,"blocks":[[[1,2,3,20]]]}', NULL, 'BlockGrid', false, '2014-03-01T12:00:00Z')`,
    );
    await dataSource.query(`SELECT setval('public_grids_id_seq', 7)`);
    const before = await dataSource.query<unknown[]>('SELECT * FROM public_grids');

    const applied = await dataSource.runMigrations();
    expect(applied.map((m) => m.name)).toContain('CreateGridTables1764028800000');
    // Every column it had is as it was; the columns added since are empty.
    const legacyColumns = Object.keys((before as Record<string, unknown>[])[0]).join(', ');
    expect(await dataSource.query(`SELECT ${legacyColumns} FROM public_grids`)).toEqual(before);
    expect(await dataSource.query('SELECT parent_visibility, parent_id FROM public_grids')).toEqual(
      [{ parent_visibility: null, parent_id: null }],
    );
    const [{ id }] = await dataSource.query<{ id: number }[]>(
      `INSERT INTO public_grids (ipb_version, python_version, grid_data, ipb_class, secret)
       VALUES ('1.9', '[]', '{}', 'BlockGrid', false) RETURNING id`,
    );
    expect(id).toBe(8);

    // A second run finds nothing to do.
    expect(await dataSource.runMigrations()).toEqual([]);

    // Every migration reverts, newest first, but the first never drops a table holding grids.
    for (let i = 1; i < applied.length; i++) await dataSource.undoLastMigration();
    await expect(dataSource.undoLastMigration()).rejects.toThrow(
      /Not reverting CreateGridTables: public_grids holds grids/,
    );
    expect(await dataSource.query('SELECT count(*)::int AS n FROM public_grids')).toEqual([
      { n: 2 },
    ]);
    expect(await countGridTables()).toBe(2);

    // Emptied, the tables go.
    await dataSource.query('DELETE FROM public_grids');
    await dataSource.undoLastMigration();
    expect(await countGridTables()).toBe(0);
    await dataSource.runMigrations();
  });

  async function countGridTables(): Promise<number> {
    const [row] = await dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_name IN ('public_grids', 'secret_grids')`,
    );
    return Number(row.n);
  }

  /** Reverts migrations, newest first, until `name` is the newest applied. */
  async function revertTo(name: string): Promise<void> {
    for (;;) {
      const [last] = await dataSource.query<{ name: string }[]>(
        'SELECT name FROM typeorm_migrations ORDER BY id DESC LIMIT 1',
      );
      if (last.name === name) return;
      await dataSource.undoLastMigration();
    }
  }

  const insertRow = (table: string, codeCells: string | null, createdAt = 'now()') =>
    dataSource.query<{ id: number }[]>(
      `INSERT INTO ${table} (ipb_version, python_version, grid_data, code_cells, ipb_class, secret, created_at)
       VALUES ('1.9', '[]', '{}', $1::jsonb, 'BlockGrid', false, ${createdAt}) RETURNING id`,
      [codeCells],
    );

  it('stores "no code cells" as SQL NULL only: JSON null rows become SQL NULL', async () => {
    await dataSource.runMigrations();
    await revertTo('CompressGridDataWithLz41764115200000');
    for (const table of ['public_grids', 'secret_grids']) {
      await dataSource.query(`TRUNCATE ${table} RESTART IDENTITY`);
      await insertRow(table, 'null');
      await insertRow(table, null);
      await insertRow(table, '["grid.show()"]');
    }

    await dataSource.runMigrations();

    for (const table of ['public_grids', 'secret_grids']) {
      const rows = await dataSource.query<{ id: number; code_cells: unknown; sql_null: boolean }[]>(
        `SELECT id, code_cells, code_cells IS NULL AS sql_null FROM ${table} ORDER BY id`,
      );
      expect(rows).toEqual([
        { id: 1, code_cells: null, sql_null: true },
        { id: 2, code_cells: null, sql_null: true },
        { id: 3, code_cells: ['grid.show()'], sql_null: false },
      ]);
    }
  });

  it('lets created_at be NULL (imported, posting date unknown), posts still get now(), and reverts', async () => {
    await dataSource.runMigrations();
    for (const table of ['public_grids', 'secret_grids']) {
      await dataSource.query(`TRUNCATE ${table} RESTART IDENTITY`);
      await insertRow(table, null, 'NULL');
      const [{ created_at }] = await dataSource.query<{ created_at: Date | null }[]>(
        `INSERT INTO ${table} (ipb_version, python_version, grid_data, ipb_class, secret)
         VALUES ('1.9', '[]', '{}', 'BlockGrid', false) RETURNING created_at`,
      );
      expect(created_at).toBeInstanceOf(Date);
    }

    await revertTo('CompressGridDataWithLz41764115200000');

    // The old schema has no "unknown": those rows get the time of the revert.
    for (const table of ['public_grids', 'secret_grids']) {
      const [{ unknown }] = await dataSource.query<{ unknown: number }[]>(
        `SELECT count(*)::int AS unknown FROM ${table} WHERE created_at IS NULL`,
      );
      expect(unknown).toBe(0);
      await expect(insertRow(table, null, 'NULL')).rejects.toThrow(/not-null constraint/);
    }
    await dataSource.runMigrations();
  });

  it('records a parent as both its table and id, or neither, and reverts without touching content', async () => {
    await dataSource.runMigrations();
    for (const table of ['public_grids', 'secret_grids']) {
      await dataSource.query(`TRUNCATE ${table} RESTART IDENTITY`);
      await insertRow(table, '["grid.show()"]');
      await dataSource.query(
        `UPDATE ${table} SET parent_visibility = 'secret', parent_id = 3 WHERE id = 1`,
      );
      for (const half of [
        `parent_visibility = 'public', parent_id = NULL`,
        `parent_visibility = NULL, parent_id = 3`,
        `parent_visibility = 'hidden', parent_id = 3`,
      ]) {
        await expect(dataSource.query(`UPDATE ${table} SET ${half} WHERE id = 1`)).rejects.toThrow(
          new RegExp(`${table}_parent`),
        );
      }
    }
    const plan = await dataSource.query<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN SELECT id FROM public_grids WHERE parent_visibility = 'public' AND parent_id = 1
       ORDER BY id DESC LIMIT 20`,
    );
    expect(plan.map((line) => line['QUERY PLAN']).join('\n')).toMatch(
      /Index Only Scan Backward using public_grids_children/,
    );

    await revertTo('CreateRateLimitCounters1795787460000');
    for (const table of ['public_grids', 'secret_grids']) {
      const columns = await dataSource.query<{ name: string }[]>(
        `SELECT column_name AS name FROM information_schema.columns WHERE table_name = $1`,
        [table],
      );
      expect(columns.map((c) => c.name)).not.toContain('parent_id');
      expect(await dataSource.query(`SELECT id, code_cells FROM ${table}`)).toEqual([
        { id: 1, code_cells: ['grid.show()'] },
      ]);
    }
    await dataSource.runMigrations();
  });
});
