import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { QueryRunner } from 'typeorm';
import {
  legacyCopyLine,
  legacyRowValues,
  LEGACY_WRITE_COLUMNS,
  type LegacyGridRow,
} from './legacy-rows';

/**
 * The staging table a batch of legacy rows lands in before it is merged into a grid table: a temp
 * table made in the batch's transaction and dropped at its end. Nothing outlives the transaction,
 * so a transaction-mode pooler (PgBouncer), which may hand each transaction another server
 * connection, finds the stage where the batch left it.
 */
export const STAGE = 'pg_temp.legacy_import_stage';

/** The stage's columns, in `LEGACY_WRITE_COLUMNS` order. */
export const STAGE_COLUMNS = LEGACY_WRITE_COLUMNS.map((c) => c.name).join(', ');

/** The grid tables' columns (but created_at), as the entity declares them. */
const STAGE_DDL = `CREATE TEMP TABLE legacy_import_stage (${LEGACY_WRITE_COLUMNS.map(
  (c) => `${c.name} ${c.type}${c.nullable ? '' : ' NOT NULL'}`,
).join(', ')}) ON COMMIT DROP`;

// Rows per multi-row INSERT on the embedded database: 7 parameters each, under pg's 65535 cap.
const INSERT_CHUNK_ROWS = 500;
// PGlite's WebAssembly memory grows to the largest statement it has seen and never shrinks.
const INSERT_CHUNK_CHARS = 256 * 1024;
// Text per COPY write: big enough to amortise stream overhead, small enough to interleave reads.
const COPY_CHUNK_CHARS = 256 * 1024;

/**
 * Fills the stage of one import connection. A server parses a COPY stream far faster than
 * INSERTs; PGlite cannot take COPY FROM STDIN, so the embedded database gets multi-row INSERTs.
 */
export class LegacyStage {
  constructor(
    private readonly runner: QueryRunner,
    private readonly useCopy: boolean,
  ) {}

  /**
   * Creates the stage and stages the rows, consumed lazily as the connection takes them: inside
   * the batch's transaction, which drops the stage when it ends.
   */
  async fill(rows: Iterable<LegacyGridRow>): Promise<void> {
    await this.runner.query(STAGE_DDL);
    await (this.useCopy ? this.copy(rows) : this.insert(rows));
  }

  /**
   * COPY has no TypeORM API: the one place in the app that speaks to pg's client, which TypeORM's
   * query runner hands over (`connect()` returns the connection it holds, in its transaction).
   */
  private async copy(rows: Iterable<LegacyGridRow>): Promise<void> {
    const client = (await this.runner.connect()) as PoolClient;
    const copy = client.query(copyFrom(`COPY ${STAGE} (${STAGE_COLUMNS}) FROM STDIN`));
    await pipeline(Readable.from(copyChunks(rows)), copy);
  }

  private async insert(rows: Iterable<LegacyGridRow>): Promise<void> {
    const width = LEGACY_WRITE_COLUMNS.length;
    let params: unknown[] = [];
    let chars = 0;
    const flush = async () => {
      const values = Array.from(
        { length: params.length / width },
        (_, r) =>
          `(${Array.from({ length: width }, (__, c) => `$${r * width + c + 1}`).join(', ')})`,
      );
      await this.runner.query(
        `INSERT INTO ${STAGE} (${STAGE_COLUMNS}) VALUES ${values.join(', ')}`,
        params,
      );
      params = [];
      chars = 0;
    };
    for (const row of rows) {
      params.push(...legacyRowValues(row));
      chars += row.gridData.length;
      if (params.length >= INSERT_CHUNK_ROWS * width || chars >= INSERT_CHUNK_CHARS) await flush();
    }
    if (params.length > 0) await flush();
  }
}

/** The rows as COPY text, in chunks. */
function* copyChunks(rows: Iterable<LegacyGridRow>): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += legacyCopyLine(row);
    if (chunk.length >= COPY_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
