import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['public_grids', 'secret_grids'];

/**
 * "No code cells" had two forms: posts stored the jsonb `null`, the import SQL NULL. One form
 * (SQL NULL) lets queries and comparisons test `code_cells IS NULL` and nothing else.
 */
export class StoreMissingCodeCellsAsNull1795775760000 implements MigrationInterface {
  name = 'StoreMissingCodeCellsAsNull1795775760000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await queryRunner.query(
        `UPDATE ${table} SET code_cells = NULL WHERE code_cells = 'null'::jsonb`,
      );
    }
  }

  public async down(): Promise<void> {
    // Nothing to undo: which NULLs were jsonb null before is not recorded, and both forms read
    // back the same (no code cells), so the schema before this migration serves either.
  }
}
