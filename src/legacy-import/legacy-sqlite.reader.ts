import Database from 'better-sqlite3';
import type { Visibility } from '../grids/grid-data';
import { LEGACY_COLUMNS, LEGACY_TABLES, MAX_GRID_ID, RawLegacyRow } from './legacy-grid';

/** The file is missing, is not SQLite, or is not the legacy site's database. */
export class LegacyFileError extends Error {}

/**
 * The legacy SQLite file, read-only. Rows come one at a time from a cursor (`iterate()`), so
 * memory stays flat whatever the file's size. better-sqlite3 allows no other statement on the
 * connection while a cursor is open: counts and bounds are read before iterating.
 */
export class LegacySqliteReader {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  static open(path: string, tables: Visibility[]): LegacySqliteReader {
    let db: Database.Database | undefined;
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

  /** Every row in id order. Integers come as BigInt, so no id is silently rounded. */
  *rows(visibility: Visibility): Generator<RawLegacyRow> {
    const sql = `SELECT ${LEGACY_COLUMNS.join(', ')} FROM ${LEGACY_TABLES[visibility]} ORDER BY id`;
    const statement = this.wrap(() => this.db.prepare<[], RawLegacyRow>(sql));
    const cursor = statement.safeIntegers(true).iterate();
    try {
      for (;;) {
        const next = this.wrap(() => cursor.next());
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // Frees the connection when the consumer stops early.
      cursor.return?.();
    }
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
