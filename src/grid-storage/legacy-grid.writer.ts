import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource, QueryRunner } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { CONTENT_COLUMNS, columnName } from './grid-columns';
import type { Visibility } from './grid-data';
import { GRID_TABLES } from './grid.entity';
import {
  legacyCopyLine,
  legacyRowHashSql,
  legacyRowValues,
  LEGACY_WRITE_COLUMNS,
  type LegacyGridRow,
} from './legacy-rows';

export type BatchMode = { dryRun: boolean; overwrite: boolean };

/** A posted grid moved out of the file's id range. */
export interface MovedGrid {
  from: number;
  to: number;
}

/** What `reserveIds` found and did. */
export type IdReservation =
  /** The sequences are past the file's ids; posted grids in the range (if asked) were moved. */
  | { outcome: 'reserved'; moved: Partial<Record<Visibility, MovedGrid[]>> }
  /** Posted grids hold ids the file needs: nothing was changed. */
  | { outcome: 'posted-in-range'; posted: Partial<Record<Visibility, number[]>> }
  /** A dry run: nothing to report, nothing reserved. */
  | { outcome: 'checked' };

/** What became of the rows of one batch. Ids are listed only for the outcomes worth naming. */
export interface BatchOutcome {
  imported: number;
  present: number;
  overwritten: number[];
  conflicts: number[];
}

const STAGE = 'pg_temp.legacy_import_stage';
const ID = columnName('id');
const CREATED_AT = columnName('createdAt');
const COLUMNS = LEGACY_WRITE_COLUMNS.map((c) => c.name).join(', ');
const CONTENT = CONTENT_COLUMNS.map((c) => c.name);
/**
 * The legacy site kept no posting date. NULL says so, and tells an imported row from a posted
 * one (posts always get `now()`): see `reserveIds`.
 */
const IMPORTED_CREATED_AT = 'NULL::timestamptz';
/** Rows posted through the site (imported ones have no created_at) at ids up to $1. */
const POSTED_AT_OR_BELOW = `${ID} <= $1 AND ${CREATED_AT} IS NOT NULL`;
/**
 * A row's content, compared as a whole. "No code cells" is SQL NULL everywhere (posts, the import,
 * and a migration for older posts' jsonb null), so the columns compare as they are.
 */
const CONTENT_OF = (alias: string) => `(${CONTENT.map((c) => `${alias}.${c}`).join(', ')})`;
const OVERWRITE =
  `DO UPDATE SET ${CONTENT.map((c) => `${c} = EXCLUDED.${c}`).join(', ')} ` +
  `WHERE ${CONTENT_OF('t')} IS DISTINCT FROM ${CONTENT_OF('EXCLUDED')}`;
/** The staging table: the grid tables' columns (but created_at), as the entity declares them. */
const STAGE_DDL = `CREATE TEMP TABLE IF NOT EXISTS legacy_import_stage (${LEGACY_WRITE_COLUMNS.map(
  (c) => `${c.name} ${c.type}${c.nullable ? '' : ' NOT NULL'}`,
).join(', ')}) ON COMMIT DELETE ROWS`;

// Rows per multi-row INSERT on the embedded database: 7 parameters each, under pg's 65535 cap.
const INSERT_CHUNK_ROWS = 500;
// PGlite's WebAssembly memory grows to the largest statement it has seen and never shrinks.
const INSERT_CHUNK_CHARS = 256 * 1024;
// Text per COPY write: big enough to amortise stream overhead, small enough to interleave reads.
const COPY_CHUNK_CHARS = 256 * 1024;

/**
 * The legacy import's writes to the grid tables. Each import holds one connection, taken through
 * TypeORM's query runner: COPY has no TypeORM API, so the session speaks to pg's client (the one
 * place in the app that does).
 */
@Injectable()
export class LegacyGridWriter {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async openSession(): Promise<LegacyImportSession> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    // Grids are mostly TOASTed: lz4 compresses them several times faster than the default pglz,
    // and Postgres reads either transparently. Servers built without lz4 keep pglz.
    await client.query('SET default_toast_compression = lz4').catch(() => undefined);
    try {
      await client.query(STAGE_DDL);
    } catch (err) {
      await runner.release();
      throw err;
    }
    // PGlite cannot take COPY FROM STDIN; a server parses a COPY stream far faster than INSERTs.
    const useCopy = this.config.database.kind === 'server';
    return new LegacyImportSession(runner, client, useCopy);
  }
}

/**
 * One connection for a whole import: the staging table is a temp table, private to it. Each batch
 * is staged and merged in one transaction, so an interrupted import leaves whole batches behind
 * and the next run picks up the rest.
 */
export class LegacyImportSession {
  constructor(
    private readonly runner: QueryRunner,
    private readonly client: PoolClient,
    private readonly useCopy: boolean,
  ) {}

  /**
   * Stages the rows (consumed lazily, as the connection takes them), then inserts those whose id
   * is free. A taken id with the same content is "present"; with other content it is a conflict,
   * left alone unless `overwrite`. A dry run does all of it and rolls back.
   */
  async insertLegacyBatch(
    visibility: Visibility,
    rows: Iterable<LegacyGridRow>,
    mode: BatchMode,
  ): Promise<BatchOutcome> {
    const table = GRID_TABLES[visibility];
    await this.client.query('BEGIN');
    try {
      await (this.useCopy ? this.copyToStage(rows) : this.insertIntoStage(rows));
      // The outer SELECT sees the table as it was before the INSERT: a joined row is one that was
      // already there.
      const { rows: outcomes } = await this.client.query<{
        outcome: keyof BatchOutcome;
        n: number;
        ids: number[] | null;
      }>(
        `WITH written AS (
           INSERT INTO ${table} AS t (${COLUMNS}, ${CREATED_AT})
           SELECT ${COLUMNS}, ${IMPORTED_CREATED_AT} FROM ${STAGE}
           ON CONFLICT (${ID}) ${mode.overwrite ? OVERWRITE : 'DO NOTHING'}
           RETURNING ${ID} AS id
         ), outcomes AS (
           SELECT s.${ID} AS id, CASE
             WHEN w.id IS NOT NULL AND t.${ID} IS NULL THEN 'imported'
             WHEN w.id IS NOT NULL THEN 'overwritten'
             WHEN t.${ID} IS NOT NULL AND ${CONTENT_OF('t')} IS NOT DISTINCT FROM ${CONTENT_OF('s')}
               THEN 'present'
             ELSE 'conflicts'
           END AS outcome
           FROM ${STAGE} s LEFT JOIN written w ON w.id = s.${ID}
             LEFT JOIN ${table} t ON t.${ID} = s.${ID}
         )
         SELECT outcome, count(*)::int AS n,
           array_agg(id ORDER BY id) FILTER (WHERE outcome IN ('overwritten', 'conflicts')) AS ids
         FROM outcomes GROUP BY outcome`,
      );
      await this.client.query(mode.dryRun ? 'ROLLBACK' : 'COMMIT');
      const outcome: BatchOutcome = { imported: 0, present: 0, overwritten: [], conflicts: [] };
      for (const { outcome: kind, n, ids } of outcomes) {
        if (kind === 'imported' || kind === 'present') outcome[kind] = n;
        else outcome[kind] = ids ?? [];
      }
      return outcome;
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private async copyToStage(rows: Iterable<LegacyGridRow>): Promise<void> {
    const copy = this.client.query(copyFrom(`COPY ${STAGE} (${COLUMNS}) FROM STDIN`));
    await pipeline(Readable.from(copyChunks(rows)), copy);
  }

  private async insertIntoStage(rows: Iterable<LegacyGridRow>): Promise<void> {
    const width = LEGACY_WRITE_COLUMNS.length;
    let params: unknown[] = [];
    let chars = 0;
    const flush = async () => {
      const values = Array.from(
        { length: params.length / width },
        (_, r) =>
          `(${Array.from({ length: width }, (__, c) => `$${r * width + c + 1}`).join(', ')})`,
      );
      await this.client.query(
        `INSERT INTO ${STAGE} (${COLUMNS}) VALUES ${values.join(', ')}`,
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

  /**
   * Makes the ids up to `maxIds[table]` the file's alone, before any row is written: legacy URLs
   * must keep naming legacy grids. In one transaction:
   * - locks the tables against posts: the lock waits for posts in flight to commit, and a post
   *   arriving meanwhile waits for this transaction, then draws an id from the moved sequence;
   * - finds the grids posted here (created_at set; imported rows have none) at those ids;
   * - if there are some, stops and names them, unless `renumberPosted`: then each table's moves
   *   to fresh ids past the range in one UPDATE;
   * - moves each sequence past the range (never back).
   * A dry run only looks: it takes no lock and reserves nothing.
   */
  async reserveIds(
    maxIds: Partial<Record<Visibility, number>>,
    options: { dryRun: boolean; renumberPosted: boolean },
  ): Promise<IdReservation> {
    const visibilities = Object.keys(maxIds) as Visibility[];
    const tables = visibilities.map((v) => GRID_TABLES[v]);
    await this.client.query('BEGIN');
    try {
      if (!options.dryRun) {
        // SHARE ROW EXCLUSIVE conflicts with the ROW EXCLUSIVE lock every INSERT takes (before it
        // draws its id) and with itself, and lets reads through.
        await this.client.query(`LOCK TABLE ${tables.join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
      }
      const posted: Partial<Record<Visibility, number[]>> = {};
      for (const v of visibilities) {
        const { rows } = await this.client.query<{ id: number }>(
          `SELECT ${ID} AS id FROM ${GRID_TABLES[v]} WHERE ${POSTED_AT_OR_BELOW} ORDER BY ${ID}`,
          [maxIds[v]],
        );
        if (rows.length > 0) posted[v] = rows.map((r) => r.id);
      }
      const found = Object.keys(posted).length > 0;
      if (options.dryRun || (found && !options.renumberPosted)) {
        await this.client.query('ROLLBACK');
        return found ? { outcome: 'posted-in-range', posted } : { outcome: 'checked' };
      }
      const moved: Partial<Record<Visibility, MovedGrid[]>> = {};
      for (const v of visibilities) {
        await this.moveIdSequencePast(v, maxIds[v]!);
        if (posted[v]) moved[v] = await this.movePosted(v, maxIds[v]!);
      }
      await this.client.query('COMMIT');
      return { outcome: 'reserved', moved };
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Posted grids at ids up to `maxId` take the sequence's next ids, in id order. */
  private async movePosted(visibility: Visibility, maxId: number): Promise<MovedGrid[]> {
    const table = GRID_TABLES[visibility];
    const { rows } = await this.client.query<MovedGrid>(
      `WITH moved AS (
         SELECT ${ID} AS from_id, nextval(pg_get_serial_sequence('${table}', '${ID}'))::int AS to_id
         FROM (SELECT ${ID} FROM ${table} WHERE ${POSTED_AT_OR_BELOW} ORDER BY ${ID}) posted
       )
       UPDATE ${table} t SET ${ID} = moved.to_id FROM moved WHERE t.${ID} = moved.from_id
       RETURNING moved.from_id AS "from", moved.to_id AS "to"`,
      [maxId],
    );
    return rows.sort((a, b) => a.from - b.from);
  }

  /** Moves the table's id sequence to at least `id` (never back). */
  private async moveIdSequencePast(visibility: Visibility, id: number): Promise<void> {
    const table = GRID_TABLES[visibility];
    await this.client.query(
      `SELECT setval(seq, target) FROM (
         SELECT pg_get_serial_sequence($1, '${ID}')::regclass AS seq,
                GREATEST($2::int, (SELECT coalesce(max(${ID}), 0) FROM ${table})) AS target
       ) s
       WHERE target > coalesce(pg_sequence_last_value(seq), 0)`,
      [table, id],
    );
  }

  /** `legacyRowHash` of the stored rows with afterId < id <= upToId, in id order. */
  async rowHashes(
    visibility: Visibility,
    afterId: number,
    upToId: number,
    limit: number,
  ): Promise<{ id: number; hash: string }[]> {
    const { rows } = await this.client.query<{ id: number; hash: string }>(
      `SELECT ${ID} AS id, ${legacyRowHashSql('t')} AS hash FROM ${GRID_TABLES[visibility]} t
       WHERE ${ID} > $1 AND ${ID} <= $2 ORDER BY ${ID} LIMIT $3`,
      [afterId, upToId, limit],
    );
    return rows;
  }

  async close(): Promise<void> {
    // The connection goes back to the pool: leave it as it was found.
    await this.client
      .query(`DROP TABLE IF EXISTS ${STAGE}; RESET default_toast_compression`)
      .catch(() => undefined);
    await this.runner.release();
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
