import { GRID_COLUMNS } from '../../src/grid-storage/grid-columns';
import { useTestApp } from '../support/test-app';

/**
 * The migrations own the schema and the entities describe it: the two must agree, or the
 * entity-derived SQL (repository, import, checksum) writes columns that are not there.
 */
describe('the migrated schema', () => {
  const t = useTestApp();

  it('is what the entities describe: TypeORM would generate no migration', async () => {
    const { upQueries } = await t.dataSource.driver.createSchemaBuilder().log();
    expect(upQueries.map((q) => q.query)).toEqual([]);
  });

  it('has, in both grid tables, exactly the columns the entity declares, with their types', async () => {
    for (const table of ['public_grids', 'secret_grids']) {
      const columns = await t.dataSource.query<{ name: string; type: string; nullable: string }[]>(
        `SELECT column_name AS name, udt_name AS type, is_nullable AS nullable
         FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
        [table],
      );
      const sqlType = {
        integer: 'int4',
        text: 'text',
        jsonb: 'jsonb',
        boolean: 'bool',
        timestamptz: 'timestamptz',
      };
      expect(columns).toEqual(
        GRID_COLUMNS.map((c) => ({
          name: c.name,
          type: sqlType[c.type],
          nullable: c.nullable ? 'YES' : 'NO',
        })),
      );
    }
  });
});
