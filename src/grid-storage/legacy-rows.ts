import { createHash } from 'node:crypto';
import {
  CONTENT_COLUMNS,
  GRID_COLUMNS,
  type GridColumn,
  type LineageProperty,
} from './grid-columns';
import type { GridRecord } from './grid.entity';

/** A grid's content, by entity property: what it was posted with. */
type ContentProperty = Exclude<keyof GridRecord, 'id' | 'createdAt' | LineageProperty>;

/** A value as written: booleans stay, text stays, jsonb is its text. */
type AsWritten<T> = T extends boolean ? boolean : string;

/**
 * A legacy row ready to be written, by entity property: text columns as text, jsonb columns as
 * the jsonb text Postgres prints back for them (see the import's jsonb-text.ts), booleans as
 * booleans. `rowHash` is `legacyRowHash` of it.
 */
export type LegacyGridRow = { id: number; rowHash: string } & {
  [P in ContentProperty]: null extends GridRecord[P]
    ? AsWritten<NonNullable<GridRecord[P]>> | null
    : AsWritten<GridRecord[P]>;
};

/**
 * The columns a legacy row is written with: its id and content. Not created_at (the legacy site
 * kept none), nor its parent, which is linked once every row is in (the parent may come later).
 */
export const LEGACY_WRITE_COLUMNS: readonly GridColumn[] = GRID_COLUMNS.filter(
  (c) => c.property === 'id' || CONTENT_COLUMNS.includes(c),
);

/** One content value as the row hash spells it: what `jsonb_build_array` would print for it. */
function hashText(column: GridColumn, value: unknown): string {
  switch (column.type) {
    case 'text':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return value === null ? 'null' : (value as string);
  }
}

/**
 * md5 of the id, a colon, and the row's content as `jsonb_build_array(<content columns>)` would
 * print it: the same text `legacyRowHashSql` makes from the stored row, so the import can verify
 * every row in SQL without pulling it back. The id is in the hash, so a checksum of the hashes
 * notices content that moved to another id.
 */
export function legacyRowHash(row: Omit<LegacyGridRow, 'rowHash'>): string {
  const hash = createHash('md5').update(`${row.id}:[`);
  CONTENT_COLUMNS.forEach((column, i) => {
    if (i > 0) hash.update(', ');
    hash.update(hashText(column, row[column.property as ContentProperty]));
  });
  return hash.update(']').digest('hex');
}

/**
 * `legacyRowHash` of a stored row of either grid table (alias `alias`), put together without
 * building that array: verification runs this on every row, and copying each grid into a new
 * jsonb costs as much again.
 */
export function legacyRowHashSql(alias: string): string {
  const parts = CONTENT_COLUMNS.map(({ name, type, nullable }) => {
    const column = `${alias}.${name}`;
    if (type === 'text') return `to_jsonb(${column})::text`;
    return nullable ? `coalesce(${column}::text, 'null')` : `${column}::text`;
  });
  const id = GRID_COLUMNS[0].name;
  return `md5(${alias}.${id}::text || ':[' || ${parts.join(" || ', ' || ")} || ']')`;
}

/** The row's values in `LEGACY_WRITE_COLUMNS` order, for an INSERT's parameters. */
export function legacyRowValues(row: LegacyGridRow): unknown[] {
  return LEGACY_WRITE_COLUMNS.map((c) => row[c.property as ContentProperty | 'id']);
}

/** The row as a line of COPY's text format: tab-separated, `\N` for NULL, backslash escapes. */
export function legacyCopyLine(row: LegacyGridRow): string {
  let line = String(row.id);
  for (const column of CONTENT_COLUMNS) {
    const value: unknown = row[column.property as ContentProperty];
    line += `\t${value === null ? '\\N' : typeof value === 'boolean' ? (value ? 't' : 'f') : copyText(value as string)}`;
  }
  return `${line}\n`;
}

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIALS = /[\\\n\r\t]/g;
const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function copyText(text: string): string {
  // Most grids hold no backslash at all: skip the replace.
  return COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]) : text;
}
