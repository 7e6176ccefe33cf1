import { Sqlite as Database, type SqliteDatabase } from '../../src/legacy-import/sqlite-driver';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Visibility } from '../../src/grid-storage/grid-data';

export const LEGACY_SAMPLE = join(__dirname, '..', 'fixtures', 'legacy-sample.db');

export interface ManifestRow {
  table: 'public_grids' | 'secret_grids';
  id: number;
  hashid: string;
  quirks: string[];
}

export interface Manifest {
  rows: ManifestRow[];
  deleted_ids: Record<ManifestRow['table'], number[]>;
  quirks: Record<string, string>;
}

export const manifest = JSON.parse(
  readFileSync(`${LEGACY_SAMPLE}.manifest.json`, 'utf8'),
) as Manifest;

export const visibilityOf = (table: ManifestRow['table']): Visibility =>
  table === 'secret_grids' ? 'secret' : 'public';

export interface SampleRow {
  id: number;
  ipb_version: string;
  python_version: string;
  grid_data: string;
  secret: number | null;
  code_cells: string | null;
  ipb_class: string;
}

/** Every row of one table of the sample, as SQLite holds it. */
export function sampleRows(table: ManifestRow['table'], file = LEGACY_SAMPLE): SampleRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[], SampleRow>(`SELECT * FROM ${table} ORDER BY id`).all();
  } finally {
    db.close();
  }
}

/**
 * The grid_data `/get` must serve for a sample row: the JSON decoded, with the one repair the
 * issue asks of grid_data (lines_on 0/1 as a boolean). Written apart from the importer on purpose.
 */
export function expectedGridData(row: SampleRow): unknown {
  const grid = JSON.parse(row.grid_data) as Record<string, unknown>;
  if (grid.lines_on === 0 || grid.lines_on === 1) grid.lines_on = grid.lines_on === 1;
  return grid;
}

/** A copy of the sample in `dir`, with `edit` run on it (to corrupt rows, say). */
export function copyOfSample(dir: string, edit: (db: SqliteDatabase) => void): string {
  const file = join(dir, `legacy-${Date.now()}-${Math.random().toString(36).slice(2)}.db`);
  copyFileSync(LEGACY_SAMPLE, file);
  const db = new Database(file);
  try {
    edit(db);
  } finally {
    db.close();
  }
  return file;
}
