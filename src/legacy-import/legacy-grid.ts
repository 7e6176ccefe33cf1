import { isPlainObject } from '../common/is-plain-object';
import { findUnstorableString, mayHoldUnstorable } from '../common/storable-text';
import type { Visibility } from '../grid-storage/grid-data';
import { toJsonbText } from './jsonb-text';
import { legacyRowHash, type LegacyGridRow } from '../grid-storage/legacy-rows';

import { GRID_TABLES, MAX_GRID_ID } from '../grid-storage/grid.entity';

/** The legacy file's tables have the Postgres tables' names. */
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

/** A value as better-sqlite3 hands it over with safe integers on. */
export type SqliteValue = string | number | bigint | Buffer | null;

export type LegacyColumn = (typeof LEGACY_COLUMNS)[number];

export type RawLegacyRow = Record<LegacyColumn, SqliteValue>;

/**
 * The odd states old rows are in (the fixture manifest's `quirks`). The python_version ones are
 * valid data that today's POST rules would refuse: they are kept as they are, only counted.
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

/** A legacy row ready to be written (see LegacyGridRow). */
export type LegacyGrid = LegacyGridRow;

export type DecodedRow =
  | {
      ok: true;
      grid: LegacyGrid;
      quirks: Quirk[];
      /**
       * Text columns holding U+FFFD. SQLite hands invalid UTF-8 over with each bad sequence
       * replaced by U+FFFD, so such a column is either that (a repair to count) or a U+FFFD
       * stored as such: only the column's bytes tell.
       */
      replacedColumns: LegacyColumn[];
    }
  | { ok: false; reason: string };

const NON_ASCII = /[\u0080-\uffff]/;
const REPLACEMENT = '\ufffd';

class RowRejected extends Error {}

/**
 * Reads one legacy row, repairing the known quirks. Anything that cannot become a row the site
 * can serve is rejected with a reason rather than guessed at.
 */
export function decodeLegacyRow(visibility: Visibility, raw: RawLegacyRow): DecodedRow {
  try {
    return decode(visibility, raw);
  } catch (err) {
    if (err instanceof RowRejected) return { ok: false, reason: err.message };
    throw err;
  }
}

function decode(visibility: Visibility, raw: RawLegacyRow): DecodedRow {
  const quirks: Quirk[] = [];
  const id = decodeId(raw.id);
  const ipbVersion = storableText(requireText(raw, 'ipb_version'), 'ipb_version');
  const ipbClass = storableText(requireText(raw, 'ipb_class'), 'ipb_class');

  const pythonVersionText = requireText(raw, 'python_version');
  const pythonVersion = parseJson(pythonVersionText, 'python_version');
  if (typeof pythonVersion === 'string') quirks.push('python_version_string');
  else if (!Array.isArray(pythonVersion)) {
    throw new RowRejected('python_version is neither a list nor a string');
  } else if (pythonVersion.length === 3) quirks.push('python_version_3_items');

  const gridDataText = requireText(raw, 'grid_data');
  const gridData = decodeGridData(parseJson(gridDataText, 'grid_data'), quirks);

  const codeCellsText = optionalText(raw, 'code_cells');
  const codeCells = decodeCodeCells(codeCellsText, quirks);

  let secret: boolean;
  if (raw.secret === null) {
    quirks.push('secret_flag_null');
    secret = visibility === 'secret';
  } else if (raw.secret === 0n || raw.secret === 1n || raw.secret === 0 || raw.secret === 1) {
    secret = Number(raw.secret) === 1;
  } else {
    throw new RowRejected(`secret is ${describe(raw.secret)}, not 0, 1 or NULL`);
  }

  const jsonTexts = [pythonVersionText, gridDataText, codeCellsText];
  const nonAsciiJson = jsonTexts.some((t) => t !== null && NON_ASCII.test(t));
  if (nonAsciiJson) quirks.push('raw_utf8_json');
  const replacedColumns: LegacyColumn[] = [];
  if (ipbVersion.includes(REPLACEMENT)) replacedColumns.push('ipb_version');
  if (ipbClass.includes(REPLACEMENT)) replacedColumns.push('ipb_class');
  // Searched only when non-ASCII: a grid is kilobytes of JSON, and nearly all are ASCII.
  if (nonAsciiJson) {
    const columns = ['python_version', 'grid_data', 'code_cells'] as const;
    columns.forEach((column, i) => {
      if (jsonTexts[i]?.includes(REPLACEMENT)) replacedColumns.push(column);
    });
  }
  rejectUnstorable(pythonVersionText, pythonVersion, 'python_version');
  rejectUnstorable(gridDataText, gridData, 'grid_data');
  if (codeCellsText !== null) rejectUnstorable(codeCellsText, codeCells, 'code_cells');

  const grid = {
    id,
    ipbVersion,
    pythonVersion: toJsonbText(pythonVersion),
    gridData: toJsonbText(gridData),
    codeCells: codeCells === null ? null : toJsonbText(codeCells),
    ipbClass,
    secret,
  };
  return { ok: true, grid: { ...grid, rowHash: legacyRowHash(grid) }, quirks, replacedColumns };
}

function decodeId(value: SqliteValue): number {
  if (typeof value === 'bigint' && value >= 1n && value <= BigInt(MAX_GRID_ID))
    return Number(value);
  throw new RowRejected(
    `id ${describe(value)} is outside 1..${MAX_GRID_ID}, the ids Postgres can hold`,
  );
}

function decodeGridData(value: unknown, quirks: Quirk[]): Record<string, unknown> {
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

function decodeCodeCells(text: string | null, quirks: Quirk[]): string[] | null {
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

function parseJson(text: string, column: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new RowRejected(`${column} is not valid JSON (${(err as Error).message})`);
  }
}

function requireText(raw: RawLegacyRow, column: keyof RawLegacyRow): string {
  const text = optionalText(raw, column);
  if (text === null) throw new RowRejected(`${column} is NULL`);
  return text;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function optionalText(raw: RawLegacyRow, column: keyof RawLegacyRow): string | null {
  const value = raw[column];
  if (value === null || typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) {
    try {
      return utf8.decode(value);
    } catch {
      throw new RowRejected(`${column} is a BLOB that is not UTF-8 text`);
    }
  }
  // A number in a TEXT column: SQLite keeps it only when it was written as one.
  return String(value);
}

function storableText(text: string, column: string): string {
  if (text.includes('\u0000')) {
    throw new RowRejected(`${column} holds a NUL character, which Postgres cannot store`);
  }
  return text;
}

function rejectUnstorable(text: string, value: unknown, column: string): void {
  if (mayHoldUnstorable(text) && findUnstorableString(value) !== null) {
    throw new RowRejected(
      `${column} holds a NUL character or a lone UTF-16 surrogate, which Postgres cannot store`,
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `a ${value.length}-byte BLOB`;
  const json = JSON.stringify(value);
  return json === undefined ? 'missing' : json.length > 40 ? `${json.slice(0, 40)}…` : json;
}

/** The row as it is in the file, in a form JSON can carry, for the rejects file. */
export function rawRowForReport(raw: RawLegacyRow): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(raw).map(([column, value]) => [
      column,
      typeof value === 'bigint'
        ? Number.isSafeInteger(Number(value))
          ? Number(value)
          : value.toString()
        : Buffer.isBuffer(value)
          ? { blob_base64: value.toString('base64') }
          : value,
    ]),
  );
}
