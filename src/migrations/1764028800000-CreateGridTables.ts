import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Postgres model of the previous Python app. `IF NOT EXISTS` lets this migration adopt a
 * database that app already created, without touching its rows.
 */
export class CreateGridTables1764028800000 implements MigrationInterface {
  name = 'CreateGridTables1764028800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['public_grids', 'secret_grids']) {
      await queryRunner.query(`
        CREATE TABLE IF NOT EXISTS ${table} (
          id serial PRIMARY KEY,
          ipb_version text NOT NULL,
          python_version jsonb NOT NULL,
          grid_data jsonb NOT NULL,
          code_cells jsonb NULL,
          ipb_class text NOT NULL,
          secret boolean NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`);
      // An adopted table may predate created_at.
      await queryRunner.query(
        `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now()`,
      );
    }
  }

  /**
   * Drops the tables only while they hold no grid: `up()` may have adopted the old app's tables,
   * and a revert must never delete a grid. With rows, it refuses and says so.
   */
  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['public_grids', 'secret_grids']) {
      const [{ n }] = (await queryRunner.query(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${table} LIMIT 1) t`,
      )) as { n: number }[];
      if (n > 0) {
        throw new Error(
          `Not reverting CreateGridTables: ${table} holds grids, and dropping it would delete ` +
            'them. Back the tables up and drop them by hand if that is really wanted.',
        );
      }
    }
    await queryRunner.query('DROP TABLE IF EXISTS secret_grids');
    await queryRunner.query('DROP TABLE IF EXISTS public_grids');
  }
}
