import { GRID_TABLES, MAX_GRID_ID } from '../grid-storage/grid.entity';
import type { LegacyGridRow } from '../grid-storage/legacy-rows';

/**
 * The legacy site's SQLite file: its tables, named like the Postgres ones, and its columns. This
 * is the old site's schema, fixed for good: the Postgres columns may change, the file's do not.
 * The decoder maps each of these to an entity property (LegacyGridRow is typed from the entity).
 */
export const LEGACY_TABLES = GRID_TABLES;
export { MAX_GRID_ID };

export const LEGACY_COLUMNS = [
  'id',
  'ipb_version',
  'python_version',
  'grid_data',
  'secret',
  'code_cells',
  'ipb_class',
] as const;

export type LegacyColumn = (typeof LEGACY_COLUMNS)[number];

/** A value as better-sqlite3 hands it over with safe integers on. */
export type SqliteValue = string | number | bigint | Buffer | null;

export type RawLegacyRow = Record<LegacyColumn, SqliteValue> & {
  /** Set, with grid_data NULL, when grid_data is past the size asked for (it stays in the file). */
  grid_data_bytes?: bigint;
};

/** A legacy row ready to be written (see LegacyGridRow). */
export type LegacyGrid = LegacyGridRow;
