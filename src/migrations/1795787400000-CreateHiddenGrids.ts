import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The grids the operator took down (`grid hide`), with when and why. A table of its own rather
 * than columns on the grid tables: a grid's content and checksum (the import compares them)
 * stay what was posted, and taking a grid down or back up never rewrites its row.
 */
export class CreateHiddenGrids1795787400000 implements MigrationInterface {
  name = 'CreateHiddenGrids1795787400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "hidden_grids" ("visibility" text NOT NULL, "grid_id" integer NOT NULL, ` +
        `"hidden_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "reason" text NOT NULL, ` +
        `CONSTRAINT "hidden_grids_visibility" CHECK (visibility IN ('public', 'secret')), ` +
        `CONSTRAINT "hidden_grids_pkey" PRIMARY KEY ("visibility", "grid_id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Every hidden grid is served again once this is reverted: their rows were never touched.
    await queryRunner.query(`DROP TABLE "hidden_grids"`);
  }
}
