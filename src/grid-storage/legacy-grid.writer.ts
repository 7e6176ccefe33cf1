import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { CONTENT_COLUMNS, columnName } from './grid-columns';
import type { Visibility } from './grid-data';
import { GRID_ENTITIES, GRID_TABLES } from './grid.entity';
import { HIDDEN_GRIDS_TABLE } from './hidden-grid.entity';
import { reserveLegacyIds, type IdReservation, type ReserveOptions } from './legacy-id-reservation';
import { legacyRowHashSql, type LegacyGridRow } from './legacy-rows';
import { LegacyStage, STAGE, STAGE_COLUMNS } from './legacy-staging';
import { inLegacyTransaction } from './legacy-transaction';

export type BatchMode = { dryRun: boolean; overwrite: boolean };

/** A legacy row and the id of the grid its code remixes (in the table LegacyImportSession is told). */
export interface LegacyParentLink {
  id: number;
  /** `legacyRowHash` of the row as the file has it. */
  rowHash: string;
  parentId: number;
}

/** What became of the rows of one batch. Ids are listed only for the outcomes worth naming. */
export interface BatchOutcome {
  imported: number;
  present: number;
  overwritten: number[];
  conflicts: number[];
}

const ID = columnName('id');
const CREATED_AT = columnName('createdAt');
const PARENT_VISIBILITY = columnName('parentVisibility');
const PARENT_ID = columnName('parentId');
const CONTENT = CONTENT_COLUMNS.map((c) => c.name);
/**
 * The legacy site kept no posting date. NULL says so, and tells an imported row from a posted
 * one (posts always get `now()`): see `reserveLegacyIds`.
 */
const IMPORTED_CREATED_AT = 'NULL::timestamptz';
/**
 * A row's content, compared as a whole. "No code cells" is SQL NULL everywhere (posts, the import,
 * and a migration for older posts' jsonb null), so the columns compare as they are.
 */
const CONTENT_OF = (alias: string) => `(${CONTENT.map((c) => `${alias}.${c}`).join(', ')})`;
const OVERWRITE =
  `DO UPDATE SET ${CONTENT.map((c) => `${c} = EXCLUDED.${c}`).join(', ')} ` +
  `WHERE ${CONTENT_OF('t')} IS DISTINCT FROM ${CONTENT_OF('EXCLUDED')}`;

/**
 * Moves the staged rows into `table`, those whose id is free, and classes every staged row. The
 * outer SELECT sees the table as it was before the INSERT: a joined row is one already there.
 */
const mergeStage = (table: string, overwrite: boolean) =>
  `WITH written AS (
     INSERT INTO ${table} AS t (${STAGE_COLUMNS}, ${CREATED_AT})
     SELECT ${STAGE_COLUMNS}, ${IMPORTED_CREATED_AT} FROM ${STAGE}
     ON CONFLICT (${ID}) ${overwrite ? OVERWRITE : 'DO NOTHING'}
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
   FROM outcomes GROUP BY outcome`;

/**
 * Sets the parent of the rows of `table` given (`$1` ids, `$2` row hashes, `$3` parent ids in
 * `parentTable`) whose stored content is the file's and whose parent exists and is not hidden;
 * counts those, and those it changed. One statement: the rows found are what it updates.
 */
const linkParents = (table: string, parentTable: string, parentVisibility: Visibility) =>
  `WITH links AS (
     SELECT * FROM unnest($1::int[], $2::text[], $3::int[]) AS l(id, hash, parent_id)
   ), found AS (
     SELECT l.id, l.parent_id FROM links l
     JOIN ${table} c ON c.${ID} = l.id AND ${legacyRowHashSql('c')} = l.hash
     WHERE EXISTS (SELECT 1 FROM ${parentTable} p WHERE p.${ID} = l.parent_id)
       AND NOT EXISTS (SELECT 1 FROM ${HIDDEN_GRIDS_TABLE} h
         WHERE h.visibility = '${parentVisibility}' AND h.grid_id = l.parent_id)
       ${table === parentTable ? 'AND l.parent_id <> l.id' : ''}
   ), changed AS (
     UPDATE ${table} c SET ${PARENT_VISIBILITY} = '${parentVisibility}', ${PARENT_ID} = f.parent_id
     FROM found f
     WHERE c.${ID} = f.id
       AND (c.${PARENT_VISIBILITY}, c.${PARENT_ID}) IS DISTINCT FROM ('${parentVisibility}', f.parent_id)
     RETURNING c.${ID}
   )
   SELECT (SELECT count(*) FROM found)::int AS recorded, (SELECT count(*) FROM changed)::int AS linked`;

/**
 * The legacy import's writes to the grid tables. Each import job holds one connection, a query
 * runner of its own, for its whole run.
 */
@Injectable()
export class LegacyGridWriter {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async openSession(): Promise<LegacyImportSession> {
    const runner = this.dataSource.createQueryRunner();
    // A database that cannot be reached fails the import here, before it reads anything.
    await runner.connect();
    // PGlite cannot take COPY FROM STDIN (see LegacyStage).
    const stage = new LegacyStage(runner, this.config.database.kind === 'server');
    return new LegacyImportSession(runner, stage);
  }
}

/**
 * Grids are mostly TOASTed: lz4 compresses them several times faster than the default pglz, and
 * Postgres reads either transparently. Servers built without lz4 (PGlite) keep pglz: asked this
 * way, they do not fail a query the ORM would log as an error. Local to the batch's transaction,
 * like everything the import sets: a transaction pooler gives the next one another session.
 */
const LZ4_FOR_THIS_TRANSACTION = `SELECT set_config(name, 'lz4', true) FROM pg_settings
  WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)`;

/**
 * One query runner for a whole import job. Each batch is staged and merged in one transaction,
 * so an interrupted import leaves whole batches behind and the next run picks up the rest; and
 * the transaction depends on no session state (see LegacyStage), so the import runs through a
 * transaction pooler too.
 */
export class LegacyImportSession {
  constructor(
    private readonly runner: QueryRunner,
    private readonly stage: LegacyStage,
  ) {}

  /**
   * Stages the rows (consumed lazily, as the connection takes them), then inserts those whose id
   * is free. A taken id with the same content is "present"; with other content it is a conflict,
   * left alone unless `overwrite`. A dry run does all of it and rolls back.
   */
  insertLegacyBatch(
    visibility: Visibility,
    rows: Iterable<LegacyGridRow>,
    mode: BatchMode,
  ): Promise<BatchOutcome> {
    return inLegacyTransaction(this.runner, async () => {
      await this.runner.query(LZ4_FOR_THIS_TRANSACTION);
      await this.stage.fill(rows);
      const outcomes = (await this.runner.query(
        mergeStage(GRID_TABLES[visibility], mode.overwrite),
      )) as { outcome: keyof BatchOutcome; n: number; ids: number[] | null }[];
      const result: BatchOutcome = { imported: 0, present: 0, overwritten: [], conflicts: [] };
      for (const { outcome, n, ids } of outcomes) {
        if (outcome === 'imported' || outcome === 'present') result[outcome] = n;
        else result[outcome] = ids ?? [];
      }
      return { result, commit: !mode.dryRun };
    });
  }

  /**
   * Records the grid each row remixes (see `linkParents`), outside any batch: every row is in by
   * then. A row already linked to that grid is counted, not written again.
   */
  async linkParents(
    visibility: Visibility,
    parentVisibility: Visibility,
    links: LegacyParentLink[],
  ): Promise<{ recorded: number; linked: number }> {
    const sql = linkParents(
      GRID_TABLES[visibility],
      GRID_TABLES[parentVisibility],
      parentVisibility,
    );
    const [counts] = (await this.runner.query(sql, [
      links.map((l) => l.id),
      links.map((l) => l.rowHash),
      links.map((l) => l.parentId),
    ])) as { recorded: number; linked: number }[];
    return counts;
  }

  /** See `reserveLegacyIds`: before the first row is written. */
  reserveIds(
    maxIds: Partial<Record<Visibility, number>>,
    options: ReserveOptions,
  ): Promise<IdReservation> {
    return reserveLegacyIds(this.runner, maxIds, options);
  }

  /** `legacyRowHash` of the stored rows with afterId < id <= upToId, in id order. */
  rowHashes(
    visibility: Visibility,
    afterId: number,
    upToId: number,
    limit: number,
  ): Promise<{ id: number; hash: string }[]> {
    return this.runner.manager
      .createQueryBuilder(GRID_ENTITIES[visibility], 't')
      .select('t.id', 'id')
      .addSelect(legacyRowHashSql('t'), 'hash')
      .where('t.id > :afterId AND t.id <= :upToId', { afterId, upToId })
      .orderBy('t.id')
      .limit(limit)
      .getRawMany<{ id: number; hash: string }>();
  }

  async close(): Promise<void> {
    await this.runner.release();
  }
}
