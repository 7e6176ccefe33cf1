import { inexactNumbers } from '../common/exact-json-numbers';
import { findUnstorableString, mayHoldUnstorable } from '../common/storable-text';
import type { GridLimits } from '../config/app-config';
import type { Visibility } from '../grid-storage/grid-data';
import { remixRefInCode, type RemixRef } from '../grid-lineage/remix-ref';
import { legacyRowHash } from '../grid-storage/legacy-rows';
import { toJsonbText } from './jsonb-text';
import { LegacyColumn, LegacyGrid, MAX_GRID_ID, RawLegacyRow, SqliteValue } from './legacy-grid';
import {
  checkPythonVersion,
  decodeCodeCells,
  decodeGridData,
  decodeSecret,
  Quirk,
} from './legacy-quirks';
import { describe, parseJson, RowRejected } from './row-rejected';

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
      /** The grid its code cells remix (`from_web`), as posts are read: linked once all are in. */
      remixOf: RemixRef | null;
    }
  | { ok: false; reason: string };

const NON_ASCII = /[\u0080-\uffff]/;
const REPLACEMENT = '\ufffd';

/** What the file says about a row beyond the row itself, and the sizes the site can serve. */
export interface DecodeContext {
  /** Ids the file holds more than once, with how many times. */
  repeatedIds?: ReadonlyMap<string, number>;
  /** A post's size limits: every route can draw a grid within them. */
  limits?: Pick<GridLimits, 'maxBodyBytes' | 'maxBlocks'>;
}

/**
 * Reads one legacy row, repairing the known quirks. Anything that cannot become a row the site
 * can serve is rejected with a reason rather than guessed at: none of the rows of a repeated id
 * can be the grid the id names, and a grid past a post's limits is one no page, picture or embed
 * could draw within the memory of a dyno.
 */
export function decodeLegacyRow(
  visibility: Visibility,
  raw: RawLegacyRow,
  context: DecodeContext = {},
): DecodedRow {
  try {
    const times = context.repeatedIds?.get(String(raw.id));
    if (times !== undefined) {
      throw new RowRejected(
        `id ${String(raw.id)} is in the file ${times} times: none of its rows is imported, ` +
          'as the file does not say which one its URL showed',
      );
    }
    return decode(visibility, raw, context.limits);
  } catch (err) {
    if (err instanceof RowRejected) return { ok: false, reason: err.message };
    throw err;
  }
}

function decode(
  visibility: Visibility,
  raw: RawLegacyRow,
  limits: DecodeContext['limits'],
): DecodedRow {
  const quirks: Quirk[] = [];
  const id = decodeId(raw.id);
  if (raw.grid_data_bytes !== undefined && limits) {
    const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
    throw new RowRejected(
      `grid_data is ${mb(Number(raw.grid_data_bytes))}, past the ${mb(limits.maxBodyBytes)} a post ` +
        'may be (MAX_BODY_BYTES): no route could draw it within a dyno’s memory',
    );
  }
  const ipbVersion = storableText(requireText(raw, 'ipb_version'), 'ipb_version');
  const ipbClass = storableText(requireText(raw, 'ipb_class'), 'ipb_class');

  const pythonVersionText = requireText(raw, 'python_version');
  const pythonVersion = parseJson(pythonVersionText, 'python_version');
  checkPythonVersion(pythonVersion, quirks);

  const gridDataText = requireText(raw, 'grid_data');
  const gridData = decodeGridData(parseJson(gridDataText, 'grid_data'), quirks);
  // The rows as drawn, whatever width and height claim (old rows do not always agree).
  const drawn = (gridData.blocks as unknown[]).reduce<number>(
    (n, row) => n + (Array.isArray(row) ? row.length : 1),
    0,
  );
  const claimed = (gridData.width as number) * (gridData.height as number);
  const blocks = Math.max(claimed, drawn);
  if (limits && blocks > limits.maxBlocks) {
    const size = `${String(gridData.width)} x ${String(gridData.height)}`;
    const what =
      drawn > claimed ? `holds ${drawn} blocks (${size} claimed)` : `is ${size} = ${blocks} blocks`;
    throw new RowRejected(
      `grid_data ${what}, past MAX_BLOCKS (${limits.maxBlocks}), the most a post may hold: ` +
        'no route could draw it',
    );
  }

  const codeCellsText = optionalText(raw, 'code_cells');
  const codeCells = decodeCodeCells(codeCellsText, quirks);

  const secret = decodeSecret(raw.secret, visibility, quirks);

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
  rejectInexact(pythonVersionText, 'python_version');
  rejectInexact(gridDataText, 'grid_data');
  if (codeCellsText !== null) rejectInexact(codeCellsText, 'code_cells');
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
  return {
    ok: true,
    grid: { ...grid, rowHash: legacyRowHash(grid) },
    quirks,
    replacedColumns,
    remixOf: remixRefInCode(codeCells),
  };
}

function decodeId(value: SqliteValue): number {
  if (typeof value === 'bigint' && value >= 1n && value <= BigInt(MAX_GRID_ID))
    return Number(value);
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new RowRejected(`id ${value} is not a whole number: no URL can name it`);
  }
  throw new RowRejected(
    `id ${describe(value)} is outside 1..${MAX_GRID_ID}, the ids Postgres can hold`,
  );
}

function requireText(raw: RawLegacyRow, column: LegacyColumn): string {
  const text = optionalText(raw, column);
  if (text === null) throw new RowRejected(`${column} is NULL`);
  return text;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function optionalText(raw: RawLegacyRow, column: LegacyColumn): string | null {
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

/** JSON.parse would change these numbers: the row would be stored as another grid. */
function rejectInexact(text: string, column: string): void {
  const [first] = inexactNumbers(text, 1, column);
  if (first !== undefined) {
    throw new RowRejected(
      `${first.field} holds the number ${first.text}, which cannot be kept exactly ` +
        '(more than 15 significant digits, or out of range)',
    );
  }
}

function rejectUnstorable(text: string, value: unknown, column: string): void {
  if (mayHoldUnstorable(text) && findUnstorableString(value) !== null) {
    throw new RowRejected(
      `${column} holds a NUL character or a lone UTF-16 surrogate, which Postgres cannot store`,
    );
  }
}
