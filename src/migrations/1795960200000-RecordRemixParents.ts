import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['public_grids', 'secret_grids'];

/**
 * The grid each grid remixes, when it is known: named as hidden_grids names a grid, by its
 * table and id, because public and secret grids have separate id sequences. Columns on the grid
 * tables rather than a table of links, so a row and its lineage come and go together (TRUNCATE,
 * a reused id), with no foreign key: the parent is in one of two tables, and TRUNCATE of a
 * referenced table would be refused. Not part of a grid's content: the import's comparisons and
 * checksums leave them out (grid-columns.ts).
 *
 * Adding nullable columns without a default rewrites no row. Remixes are listed only from
 * public_grids (a secret remix is never listed), so only it gets the index of a grid's children,
 * newest first, holding only rows that have a parent.
 */
export class RecordRemixParents1795960200000 implements MigrationInterface {
  name = 'RecordRemixParents1795960200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await queryRunner.query(
        `ALTER TABLE ${table} ADD COLUMN parent_visibility text, ADD COLUMN parent_id integer, ` +
          `ADD CONSTRAINT ${table}_parent CHECK ((parent_visibility IS NULL) = (parent_id IS NULL) ` +
          `AND parent_visibility IN ('public', 'secret'))`,
      );
    }
    await queryRunner.query(
      `CREATE INDEX public_grids_children ON public_grids (parent_visibility, parent_id, id) ` +
        `WHERE parent_id IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Only lineage is lost: every grid's content stays as it was.
    await queryRunner.query(`DROP INDEX public_grids_children`);
    for (const table of TABLES) {
      await queryRunner.query(
        `ALTER TABLE ${table} DROP CONSTRAINT ${table}_parent, DROP COLUMN parent_visibility, ` +
          `DROP COLUMN parent_id`,
      );
    }
  }
}
