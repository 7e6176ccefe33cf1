import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import type { Visibility } from './grid-data';

export const HIDDEN_GRIDS_TABLE = 'hidden_grids';

/**
 * A grid the operator took down: it answers 410 everywhere and is listed nowhere, but its row
 * stays (unhiding restores it). Named by its table and id, without foreign keys: tests and
 * tools empty the grid tables with TRUNCATE, which a reference to them would refuse.
 */
@Entity({ name: HIDDEN_GRIDS_TABLE })
@Check('hidden_grids_visibility', `visibility IN ('public', 'secret')`)
export class HiddenGrid {
  @PrimaryColumn({
    type: 'text',
    name: 'visibility',
    primaryKeyConstraintName: 'hidden_grids_pkey',
  })
  visibility!: Visibility;

  @PrimaryColumn({
    type: 'integer',
    name: 'grid_id',
    primaryKeyConstraintName: 'hidden_grids_pkey',
  })
  gridId!: number;

  /** When it was hidden (hiding it again keeps the first time). */
  @Column({ type: 'timestamptz', name: 'hidden_at', default: () => 'now()' })
  hiddenAt!: Date;

  /** Why, as the operator wrote it: for the operator's eyes, never shown on the site. */
  @Column({ type: 'text', name: 'reason' })
  reason!: string;
}
