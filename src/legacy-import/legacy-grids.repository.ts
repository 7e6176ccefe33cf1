import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource, QueryRunner } from 'typeorm';
import { AppConfig } from '../config/app-config';
import type { Visibility } from '../grids/grid-data';
import { rowHashSql, LEGACY_TABLES, LegacyGrid } from './legacy-grid';

export type BatchMode = { dryRun: boolean; overwrite: boolean };

/** What became of the rows of one batch. Ids are listed only for the outcomes worth naming. */
export interface BatchOutcome {
  imported: number;
  present: number;
  overwritten: number[];
  conflicts: number[];
}

const STAGE = 'pg_temp.legacy_import_stage';
const CONTENT_COLUMNS = [
  'ipb_version',
  'python_version',
  'grid_data',
  'code_cells',
  'ipb_class',
  'secret',
];
const COLUMNS = ['id', ...CONTENT_COLUMNS].join(', ');
/**
 * The legacy site kept no posting date. NULL says so, and tells an imported row from a posted
 * one (posts always get `now()`): see `reserveIds`.
 */
const IMPORTED_CREATED_AT = 'NULL::timestamptz';
/**
 * A row's content, compared as a whole. "No code cells" is SQL NULL everywhere (posts, the import,
 * and a migration for older posts' jsonb null), so the columns compare as they are.
 */
const CONTENT = (alias: string) => `(${CONTENT_COLUMNS.map((c) => `${alias}.${c}`).join(', ')})`;
const OVERWRITE =
  `DO UPDATE SET ${CONTENT_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')} ` +
  `WHERE ${CONTENT('t')} IS DISTINCT FROM ${CONTENT('EXCLUDED')}`;

// Rows per multi-row INSERT on the embedded database: 7 parameters each, under pg's 65535 cap.
const INSERT_CHUNK_ROWS = 500;
// PGlite's WebAssembly memory grows to the largest statement it has seen and never shrinks.
const INSERT_CHUNK_CHARS = 256 * 1024;
// Text per COPY write: big enough to amortise stream overhead, small enough to interleave reads.
const COPY_CHUNK_CHARS = 256 * 1024;

/** Database access for the legacy import. Each import holds one connection: see the session. */
@Injectable()
export class LegacyGridsRepository {
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
      await client.query(
        `CREATE TEMP TABLE IF NOT EXISTS legacy_import_stage (
           id integer NOT NULL,
           ipb_version text NOT NULL,
           python_version jsonb NOT NULL,
           grid_data jsonb NOT NULL,
           code_cells jsonb,
           ipb_class text NOT NULL,
           secret boolean NOT NULL
         ) ON COMMIT DELETE ROWS`,
      );
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
    rows: Iterable<LegacyGrid>,
    mode: BatchMode,
  ): Promise<BatchOutcome> {
    const table = LEGACY_TABLES[visibility];
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
           INSERT INTO ${table} AS t (${COLUMNS}, created_at)
           SELECT ${COLUMNS}, ${IMPORTED_CREATED_AT} FROM ${STAGE}
           ON CONFLICT (id) ${mode.overwrite ? OVERWRITE : 'DO NOTHING'}
           RETURNING id
         ), outcomes AS (
           SELECT s.id, CASE
             WHEN w.id IS NOT NULL AND t.id IS NULL THEN 'imported'
             WHEN w.id IS NOT NULL THEN 'overwritten'
             WHEN t.id IS NOT NULL AND ${CONTENT('t')} IS NOT DISTINCT FROM ${CONTENT('s')}
               THEN 'present'
             ELSE 'conflicts'
           END AS outcome
           FROM ${STAGE} s LEFT JOIN written w ON w.id = s.id LEFT JOIN ${table} t ON t.id = s.id
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

  private async copyToStage(rows: Iterable<LegacyGrid>): Promise<void> {
    const copy = this.client.query(copyFrom(`COPY ${STAGE} (${COLUMNS}) FROM STDIN`));
    await pipeline(Readable.from(copyChunks(rows)), copy);
  }

  private async insertIntoStage(rows: Iterable<LegacyGrid>): Promise<void> {
    let params: unknown[] = [];
    let chars = 0;
    const flush = async () => {
      const n = params.length / 7;
      const values = Array.from({ length: n }, (_, r) => {
        const p = (c: number) => `$${r * 7 + c}`;
        return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)})`;
      });
      await this.client.query(
        `INSERT INTO ${STAGE} (${COLUMNS}) VALUES ${values.join(', ')}`,
        params,
      );
      params = [];
      chars = 0;
    };
    for (const g of rows) {
      params.push(
        g.id,
        g.ipbVersion,
        g.pythonVersion,
        g.gridData,
        g.codeCells,
        g.ipbClass,
        g.secret,
      );
      chars += g.gridData.length;
      if (params.length >= INSERT_CHUNK_ROWS * 7 || chars >= INSERT_CHUNK_CHARS) await flush();
    }
    if (params.length > 0) await flush();
  }

  /**
   * Moves the table's id sequence to at least `id` (never back), so the next post gets an id no
   * legacy row has: legacy URLs must keep naming legacy grids.
   */
  async moveIdSequencePast(visibility: Visibility, id: number): Promise<void> {
    const table = LEGACY_TABLES[visibility];
    await this.client.query(
      `SELECT setval(seq, target) FROM (
         SELECT pg_get_serial_sequence($1, 'id')::regclass AS seq,
                GREATEST($2::int, (SELECT coalesce(max(id), 0) FROM ${table})) AS target
       ) s
       WHERE target > coalesce(pg_sequence_last_value(seq), 0)`,
      [table, id],
    );
  }

  /** `LegacyGrid.rowHash` of the stored rows with afterId < id <= upToId, in id order. */
  async rowHashes(
    visibility: Visibility,
    afterId: number,
    upToId: number,
    limit: number,
  ): Promise<{ id: number; hash: string }[]> {
    const { rows } = await this.client.query<{ id: number; hash: string }>(
      `SELECT id, ${rowHashSql('t')} AS hash FROM ${LEGACY_TABLES[visibility]} t
       WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3`,
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

/** COPY text format: tab-separated, `\N` for NULL, backslash escapes. */
function* copyChunks(rows: Iterable<LegacyGrid>): Generator<string> {
  let chunk = '';
  for (const g of rows) {
    chunk +=
      `${g.id}\t${copyText(g.ipbVersion)}\t${copyText(g.pythonVersion)}\t` +
      `${copyText(g.gridData)}\t${g.codeCells === null ? '\\N' : copyText(g.codeCells)}\t` +
      `${copyText(g.ipbClass)}\t${g.secret ? 't' : 'f'}\n`;
    if (chunk.length >= COPY_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
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
