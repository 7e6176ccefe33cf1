import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['public_grids', 'secret_grids'];

/**
 * The legacy site kept no posting date, so a grid imported from it has none: `created_at` NULL
 * means "imported, date unknown" (the pages then show no date rather than the import's), and
 * a non-NULL one means "posted here". The import tells posted rows from imported ones by it.
 * Posts keep the `now()` default.
 */
export class MakeCreatedAtNullable1795775700000 implements MigrationInterface {
  name = 'MakeCreatedAtNullable1795775700000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await queryRunner.query(`ALTER TABLE ${table} ALTER COLUMN created_at DROP NOT NULL`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // The old schema cannot say "unknown": such rows get the time of the revert, as the old
    // importer gave them the time of the import.
    for (const table of TABLES) {
      await queryRunner.query(`UPDATE ${table} SET created_at = now() WHERE created_at IS NULL`);
      await queryRunner.query(`ALTER TABLE ${table} ALTER COLUMN created_at SET NOT NULL`);
    }
  }
}
