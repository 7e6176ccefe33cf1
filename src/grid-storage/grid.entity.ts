import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { GridData, PythonVersion, Visibility } from './grid-data';

/** The two tables, one per visibility (the legacy SQLite file uses the same names). */
export const GRID_TABLES: Record<Visibility, string> = {
  public: 'public_grids',
  secret: 'secret_grids',
};

/** Ids are Postgres `serial` (int4): nothing larger can name a row. */
export const MAX_GRID_ID = 2_147_483_647;

/**
 * Columns shared by both tables. Public and secret grids live in separate tables with separate
 * id sequences because their hashids are made from the table's id: public grid 1 and secret
 * grid 1 are different grids with different URLs.
 */
export abstract class GridRecord {
  @PrimaryGeneratedColumn({ type: 'integer', name: 'id' })
  id!: number;

  @Column({ type: 'text', name: 'ipb_version' })
  ipbVersion!: string;

  @Column({ type: 'jsonb', name: 'python_version' })
  pythonVersion!: PythonVersion;

  @Column({ type: 'jsonb', name: 'grid_data' })
  gridData!: GridData;

  @Column({ type: 'jsonb', name: 'code_cells', nullable: true })
  codeCells!: string[] | null;

  @Column({ type: 'text', name: 'ipb_class' })
  ipbClass!: string;

  @Column({ type: 'boolean', name: 'secret' })
  secret!: boolean;

  /** When it was posted here; NULL for a grid imported from the legacy site, which kept no date. */
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at', nullable: true })
  createdAt!: Date | null;

  /**
   * The grid this one remixes (its table and id), when it is known: `remix_of` in the post, or
   * the first `from_web` of its code cells, resolved when it was stored. Lineage, not content:
   * see LINEAGE_PROPERTIES.
   */
  @Column({ type: 'text', name: 'parent_visibility', nullable: true })
  parentVisibility!: Visibility | null;

  @Column({ type: 'integer', name: 'parent_id', nullable: true })
  parentId!: number | null;
}

/** Both parent columns or neither, and a parent is in one of the two tables. */
const PARENT_CHECK =
  `(parent_visibility IS NULL) = (parent_id IS NULL) ` +
  `AND parent_visibility IN ('public', 'secret')`;

/** Remixes are listed from this table alone (a secret remix is never listed), newest first. */
@Entity({ name: GRID_TABLES.public })
@Check(`${GRID_TABLES.public}_parent`, PARENT_CHECK)
@Index('public_grids_children', ['parentVisibility', 'parentId', 'id'], {
  where: 'parent_id IS NOT NULL',
})
export class PublicGrid extends GridRecord {}

@Entity({ name: GRID_TABLES.secret })
@Check(`${GRID_TABLES.secret}_parent`, PARENT_CHECK)
export class SecretGrid extends GridRecord {}

/** The entity of each table. */
export const GRID_ENTITIES: Record<Visibility, typeof PublicGrid> = {
  public: PublicGrid,
  secret: SecretGrid,
};
