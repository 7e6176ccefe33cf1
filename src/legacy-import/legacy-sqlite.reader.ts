import { Sqlite as Database, type SqliteDatabase } from './sqlite-driver';
import type { Visibility } from '../grid-storage/grid-data';
import {
  LEGACY_COLUMNS,
  LEGACY_TABLES,
  LegacyColumn,
  MAX_GRID_ID,
  RawLegacyRow,
} from './legacy-grid';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Ids after `after` (exclusive) up to `upTo` (inclusive); a missing bound is open. */
export interface IdRange {
  after?: bigint;
  upTo?: bigint;
}

/** The file is missing, is not SQLite, or is not the legacy site's database. */
export class LegacyFileError extends Error {}

/**
 * The legacy SQLite file, read-only. Rows come one at a time from cursors (`iterate()`), so
 * memory stays flat whatever the file's size.
 */
export class LegacySqliteReader {
  private constructor(
    private readonly db: SqliteDatabase,
    readonly path: string,
  ) {}

  static open(path: string, tables: Visibility[]): LegacySqliteReader {
    let db: SqliteDatabase | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      const reader = new LegacySqliteReader(db, path);
      for (const visibility of tables) reader.checkSchema(visibility);
      return reader;
    } catch (err) {
      db?.close();
      if (err instanceof LegacyFileError) throw err;
      throw new LegacyFileError(`cannot read ${path}: ${(err as Error).message}`);
    }
  }

  private checkSchema(visibility: Visibility): void {
    const table = LEGACY_TABLES[visibility];
    const columns = new Set(
      this.db
        .prepare<[], { name: string }>(`PRAGMA table_info(${table})`)
        .all()
        .map((c) => c.name),
    );
    if (columns.size === 0) {
      throw new LegacyFileError(`${this.path} has no ${table} table: not a legacy grid database`);
    }
    const missing = LEGACY_COLUMNS.filter((c) => !columns.has(c));
    if (missing.length > 0) {
      throw new LegacyFileError(`${this.path}: ${table} has no column ${missing.join(', ')}`);
    }
  }

  private readonly repeated = new Map<Visibility, Map<string, number>>();

  /**
   * Ids the table holds more than once, with how many times: none when its id is the rowid (an
   * INTEGER PRIMARY KEY, as the legacy site made it), possible when a copy of the file was made
   * with a plain `id` column. Read once per table.
   */
  repeatedIds(visibility: Visibility): ReadonlyMap<string, number> {
    let ids = this.repeated.get(visibility);
    if (!ids) {
      const table = LEGACY_TABLES[visibility];
      ids = this.wrap(() => {
        const id = this.db
          .prepare<[], { name: string; type: string; pk: number }>(`PRAGMA table_info(${table})`)
          .all()
          .find((c) => c.name === 'id');
        if (id?.pk === 1 && id.type.toUpperCase() === 'INTEGER') return new Map<string, number>();
        const sql = `SELECT id, count(*) AS n FROM ${table} GROUP BY id HAVING count(*) > 1`;
        const rows = this.db
          .prepare<[], { id: bigint | number | string; n: bigint }>(sql)
          .safeIntegers(true)
          .all();
        return new Map(rows.map((r) => [String(r.id), Number(r.n)]));
      });
      this.repeated.set(visibility, ids);
    }
    return ids;
  }

  count(visibility: Visibility): number {
    return this.wrap(() => {
      const sql = `SELECT count(*) AS n FROM ${LEGACY_TABLES[visibility]}`;
      return this.db.prepare<[], { n: number }>(sql).get()?.n ?? 0;
    });
  }

  /** The highest id Postgres can hold (ids past int4 are rejected rows), or 0 for none. */
  maxId(visibility: Visibility): number {
    return this.wrap(() => {
      const sql = `SELECT max(id) AS n FROM ${LEGACY_TABLES[visibility]} WHERE id <= ${MAX_GRID_ID}`;
      return this.db.prepare<[], { n: number | null }>(sql).get()?.n ?? 0;
    });
  }

  /**
   * `parts` id ranges holding about as many rows each, covering every row (ids outside what
   * Postgres can hold included: they must be read to be rejected).
   */
  split(visibility: Visibility, parts: number): IdRange[] {
    const table = LEGACY_TABLES[visibility];
    const rows = this.count(visibility);
    const bounds = this.wrap(() => {
      const sql = `SELECT id FROM ${table} ORDER BY id LIMIT 1 OFFSET ?`;
      const statement = this.db.prepare<[number], { id: bigint }>(sql).safeIntegers(true);
      return Array.from({ length: parts - 1 }, (_, i) => {
        const offset = Math.floor((rows * (i + 1)) / parts) - 1;
        return offset >= 0 ? statement.get(offset)?.id : undefined;
      });
    });
    const cuts = [...new Set(bounds.filter((b): b is bigint => b !== undefined))];
    return [...cuts, undefined].map((upTo, i) => ({ after: cuts[i - 1], upTo }));
  }

  /**
   * The rows of an id range in id order. Integers come as BigInt, so no id is silently rounded.
   * Each cursor has a connection of its own: SQLite runs one statement per connection at a time,
   * and ranges are read side by side.
   */
  *rows(
    visibility: Visibility,
    range: IdRange = {},
    maxGridDataBytes?: number,
  ): Generator<RawLegacyRow> {
    const where = [
      range.after !== undefined && 'id > @after',
      range.upTo !== undefined && 'id <= @upTo',
    ]
      .filter(Boolean)
      .join(' AND ');
    // A grid_data past the size is read as its size only: a 50 MB row would cost the import
    // several times that in JavaScript strings and objects, only to be rejected.
    const columns =
      maxGridDataBytes === undefined
        ? LEGACY_COLUMNS.join(', ')
        : LEGACY_COLUMNS.map((c) =>
            c === 'grid_data'
              ? `CASE WHEN octet_length(grid_data) > ${maxGridDataBytes} THEN NULL ELSE grid_data END AS grid_data, ` +
                `CASE WHEN octet_length(grid_data) > ${maxGridDataBytes} THEN octet_length(grid_data) END AS grid_data_bytes`
              : c,
          ).join(', ');
    const sql =
      `SELECT ${columns} FROM ${LEGACY_TABLES[visibility]}` +
      `${where ? ` WHERE ${where}` : ''} ORDER BY id`;
    const db = this.wrap(() => new Database(this.path, { readonly: true, fileMustExist: true }));
    try {
      const statement = this.wrap(() => db.prepare<unknown[], RawLegacyRow>(sql));
      const params = Object.entries(range).filter(([, bound]) => bound !== undefined);
      const cursor = statement
        .safeIntegers(true)
        .iterate(...(params.length ? [Object.fromEntries(params)] : []));
      try {
        for (;;) {
          const next = this.wrap(() => cursor.next());
          if (next.done) return;
          // Only a row whose grid_data was left in the file says how big it is.
          if (next.value.grid_data_bytes === null) delete next.value.grid_data_bytes;
          yield next.value;
        }
      } finally {
        // Frees the statement when the consumer stops early.
        cursor.return?.();
      }
    } finally {
      db.close();
    }
  }

  /**
   * Whether any of the row's `columns` holds bytes that are not UTF-8. Text comes out of SQLite
   * with invalid sequences replaced by U+FFFD; only the bytes tell those from a stored U+FFFD.
   */
  hasInvalidUtf8(visibility: Visibility, id: number, columns: LegacyColumn[]): boolean {
    const bytes = columns.map((c, i) => `CAST(${c} AS BLOB) AS c${i}`).join(', ');
    const sql = `SELECT ${bytes} FROM ${LEGACY_TABLES[visibility]} WHERE id = ?`;
    const row = this.wrap(() =>
      this.db.prepare<[number], Record<string, Buffer | null>>(sql).get(id),
    );
    return Object.values(row ?? {}).some((value) => {
      if (value === null) return false;
      try {
        utf8.decode(value);
        return false;
      } catch {
        return true;
      }
    });
  }

  close(): void {
    this.db.close();
  }

  /** A damaged file fails mid-read with a SqliteError; name the file in what the operator sees. */
  private wrap<T>(read: () => T): T {
    try {
      return read();
    } catch (err) {
      throw new LegacyFileError(`cannot read ${this.path}: ${(err as Error).message}`);
    }
  }
}
