import { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = ['public_grids.grid_data', 'secret_grids.grid_data', 'public_grids.code_cells'];

/**
 * A grid's jsonb is several kilobytes, so Postgres compresses it on every insert; lz4 does that
 * several times faster than the default pglz. It only changes how new values are stored (no
 * rewrite, no lock held for long), and is skipped where the server was built without lz4
 * (PGlite, for one): pglz then stays, which reads and writes the same data.
 */
export class CompressGridDataWithLz41764115200000 implements MigrationInterface {
  name = 'CompressGridDataWithLz41764115200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await this.setCompression(queryRunner, 'lz4');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await this.setCompression(queryRunner, 'default');
  }

  private async setCompression(queryRunner: QueryRunner, method: string): Promise<void> {
    for (const column of COLUMNS) {
      const [table, name] = column.split('.');
      await queryRunner.query(`
        DO $$ BEGIN
          ALTER TABLE ${table} ALTER COLUMN ${name} SET COMPRESSION ${method};
        EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
          RAISE NOTICE 'column compression % not available here: kept as it was', '${method}';
        END $$`);
    }
  }
}
