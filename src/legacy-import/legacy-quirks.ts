import { isPlainObject } from '../common/is-plain-object';
import type { Visibility } from '../grid-storage/grid-data';
import type { SqliteValue } from './legacy-grid';
import { describe, parseJson, RowRejected } from './row-rejected';

/**
 * The odd states old rows are in (the fixture manifest's `quirks`), and how each is repaired. The
 * python_version ones are valid data that today's POST rules would refuse: they are kept as they
 * are, only counted.
 */
export const QUIRKS = {
  code_cells_null_string: "code_cells 'null' stored as NULL",
  code_cells_empty_string: "code_cells '' stored as NULL",
  code_cells_empty_list: "code_cells '[]' stored as NULL",
  lines_on_int: 'grid_data.lines_on 0/1 stored as false/true',
  secret_flag_null: "NULL secret set to its table's value",
  raw_utf8_json: 'JSON written with raw UTF-8 (read as such)',
  python_version_3_items: 'python_version with 3 items (kept)',
  python_version_string: 'python_version as a string (kept)',
  // Counted by the import, which alone can read the row's bytes again: see `replacedColumns`.
  invalid_utf8_replaced: 'invalid UTF-8 replaced by U+FFFD',
} as const;

export type Quirk = keyof typeof QUIRKS;

export function checkPythonVersion(value: unknown, quirks: Quirk[]): void {
  if (typeof value === 'string') quirks.push('python_version_string');
  else if (!Array.isArray(value)) {
    throw new RowRejected('python_version is neither a list nor a string');
  } else if (value.length === 3) quirks.push('python_version_3_items');
}

export function decodeGridData(value: unknown, quirks: Quirk[]): Record<string, unknown> {
  if (!isPlainObject(value)) throw new RowRejected('grid_data is not a JSON object');
  const missing = ['width', 'height', 'blocks'].filter((key) => !(key in value));
  if (missing.length > 0) throw new RowRejected(`grid_data has no ${missing.join(', ')}`);
  for (const key of ['width', 'height']) {
    const n = value[key];
    if (!Number.isInteger(n) || (n as number) < 0) {
      throw new RowRejected(`grid_data.${key} is ${describe(n)}, not a whole number`);
    }
  }
  if (!Array.isArray(value.blocks)) throw new RowRejected('grid_data.blocks is not a list');
  if (value.lines_on === 0 || value.lines_on === 1) {
    quirks.push('lines_on_int');
    return { ...value, lines_on: value.lines_on === 1 };
  }
  if ('lines_on' in value && typeof value.lines_on !== 'boolean') {
    throw new RowRejected(`grid_data.lines_on is ${describe(value.lines_on)}, not a boolean`);
  }
  return value;
}

/** The cells, or null for every way the old site wrote "none". */
export function decodeCodeCells(text: string | null, quirks: Quirk[]): string[] | null {
  if (text === null) return null;
  if (text.trim() === '') {
    quirks.push('code_cells_empty_string');
    return null;
  }
  const value = parseJson(text, 'code_cells');
  if (value === null) {
    quirks.push('code_cells_null_string');
    return null;
  }
  if (!Array.isArray(value) || !value.every((cell) => typeof cell === 'string')) {
    throw new RowRejected('code_cells is not a list of strings');
  }
  if (value.length === 0) {
    quirks.push('code_cells_empty_list');
    return null;
  }
  return value;
}

/** The secret flag; a NULL one takes its table's value. */
export function decodeSecret(value: SqliteValue, visibility: Visibility, quirks: Quirk[]): boolean {
  if (value === null) {
    quirks.push('secret_flag_null');
    return visibility === 'secret';
  }
  if (value === 0n || value === 1n || value === 0 || value === 1) return Number(value) === 1;
  throw new RowRejected(`secret is ${describe(value)}, not 0, 1 or NULL`);
}
