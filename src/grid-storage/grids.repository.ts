import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, Repository, type SelectQueryBuilder } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { inBoundedTransaction, type TransactionBudget } from '../database/bounded-transaction';
import { columnName } from './grid-columns';
import type { IpbClass, Visibility } from './grid-data';
import { GRID_ENTITIES, GRID_TABLES, type GridRecord } from './grid.entity';
import { HIDDEN_GRIDS_TABLE } from './hidden-grid.entity';
import { whereNotHidden } from './hidden-grids.repository';
import type { StoredGrid } from './stored-grid';

/** A grid named by its table and id. */
export interface GridKey {
  visibility: Visibility;
  id: number;
}

/**
 * What a post stores; `gridDataJson` is the posted grid_data's JSON text, stored as jsonb.
 * `parent`: the grid it remixes, recorded only if that exists and is not hidden.
 */
export type NewGrid = Pick<
  GridRecord,
  'ipbVersion' | 'pythonVersion' | 'codeCells' | 'ipbClass' | 'secret'
> & { gridDataJson: string; parent?: GridKey | null };

/** One entry of the gallery of recent public grids. */
export interface GridSummary {
  id: number;
  ipbClass: IpbClass;
  width: unknown;
  height: unknown;
  /** Null for an imported grid: the legacy site kept no posting date. */
  createdAt: Date | null;
}

/** A grid's lineage as its page shows it (see `findLineage`). */
export interface GridLineageRows {
  parent: GridKey | null;
  remixes: GridSummary[];
}

/** How long past the statement timeout a post waits for the database to say it cancelled. */
const ANSWER_GRACE_MS = 1000;

// SQL of the grid tables' columns, by entity property (see grid-columns.ts).
const ID = columnName('id');
const GRID_DATA = columnName('gridData');
const IPB_CLASS = columnName('ipbClass');
const CREATED_AT = columnName('createdAt');
const PARENT_VISIBILITY = columnName('parentVisibility');
const PARENT_ID = columnName('parentId');

/** The class a stored `ipb_class` names; anything else an old client wrote is a BlockGrid. */
export function ipbClassOf(stored: unknown): IpbClass {
  return stored === 'ImageGrid' ? 'ImageGrid' : 'BlockGrid';
}

/**
 * The grid tables' reads and writes, through TypeORM's query builder on the entities. A posted
 * grid never changes, so the pages and the API cache what these return: the hot paths seldom
 * get here. grid_data is read as text, never parsed on this thread (see StoredGrid).
 */
@Injectable()
export class GridsRepository {
  private readonly budget: TransactionBudget;
  private randomPublicSql: string | undefined;
  private readonly lineageSql = new Map<Visibility, string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.budget = {
      statementTimeoutMs: config.databaseStatementTimeoutMs,
      graceMs: ANSWER_GRACE_MS,
    };
  }

  private table(visibility: Visibility): Repository<GridRecord> {
    return this.dataSource.getRepository(GRID_ENTITIES[visibility]);
  }

  /**
   * Stores a grid and answers its id. One explicit transaction with a time budget, so a failure
   * says whether the grid is stored (see `inBoundedTransaction`): an error means it is not,
   * except `CommitUnconfirmedError`, whose `result` is the id it has if it is.
   */
  insert(visibility: Visibility, grid: NewGrid): Promise<number> {
    return inBoundedTransaction(this.dataSource, this.budget, async (manager) => {
      // In the post's transaction: a parent hidden meanwhile is either seen hidden or hidden after.
      const parent = grid.parent ? await this.visible(manager, grid.parent) : null;
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(GRID_ENTITIES[visibility])
        .values({
          ipbVersion: grid.ipbVersion,
          pythonVersion: grid.pythonVersion,
          // The posted text as it is: a photo's grid_data is not parsed and written out again.
          gridData: () => ':gridDataJson',
          // SQL NULL, never the jsonb null: one form for "no code cells", as the import writes it.
          codeCells: grid.codeCells,
          ipbClass: grid.ipbClass,
          secret: grid.secret,
          parentVisibility: parent?.visibility ?? null,
          parentId: parent?.id ?? null,
        })
        .setParameter('gridDataJson', grid.gridDataJson)
        .returning(ID)
        .execute();
      return (inserted.raw as { id: number }[])[0].id;
    });
  }

  /** `grid` when it exists and is not hidden, else null. */
  private async visible(manager: EntityManager, grid: GridKey): Promise<GridKey | null> {
    const found = await manager
      .getRepository(GRID_ENTITIES[grid.visibility])
      .createQueryBuilder('g')
      .select('g.id')
      .where('g.id = :id', { id: grid.id })
      .andWhere(whereNotHidden(grid.visibility, 'g'))
      .getExists();
    return found ? grid : null;
  }

  /**
   * The public remixes of `parent` that are not hidden, newest first, older than `beforeId` when
   * given: keyset pagination on public_grids_children, as `/recent` pages on the primary key.
   * Secret remixes are never listed.
   */
  findRemixes(parent: GridKey, beforeId: number | null, limit: number): Promise<GridSummary[]> {
    const query = this.summaries()
      .where(`g.${PARENT_VISIBILITY} = :visibility AND g.${PARENT_ID} = :id`, parent)
      .andWhere(whereNotHidden('public', 'g'))
      .orderBy('g.id', 'DESC')
      .limit(limit);
    if (beforeId !== null) query.andWhere('g.id < :beforeId', { beforeId });
    return this.summaryRows(query);
  }

  /**
   * For each of the grids `ids` of one table: the grid it remixes, while that exists and is not
   * hidden (whether a page may show it, a secret one, is the caller's to say), and its first
   * `limit` remixes as `findRemixes` lists them. One round trip for all, by one statement built
   * once: what each web process reads, every second, for the grids people are looking at.
   */
  async findLineages(
    visibility: Visibility,
    ids: readonly number[],
    limit: number,
  ): Promise<Map<number, GridLineageRows>> {
    let sql = this.lineageSql.get(visibility);
    if (!sql) this.lineageSql.set(visibility, (sql = this.lineageQuery(visibility)));
    const rows = await this.dataSource.query<
      (SummaryRow & { kind: 'parent' | 'remix'; of: number; visibility: Visibility | null })[]
    >(sql, [ids, limit]);
    const lineages = new Map<number, GridLineageRows>(
      ids.map((id) => [id, { parent: null, remixes: [] }]),
    );
    for (const row of rows) {
      const lineage = lineages.get(row.of)!;
      if (row.kind === 'parent') lineage.parent = { visibility: row.visibility!, id: row.id };
      else lineage.remixes.push(summaryOf(row));
    }
    return lineages;
  }

  /**
   * `findLineages`'s SQL ($1 the grids' ids, $2 the limit): their visible parents, then each one's
   * newest remixes (an index lookup each, on public_grids_children), newest first.
   */
  private lineageQuery(visibility: Visibility): string {
    const table = GRID_TABLES[visibility];
    const notHidden = (v: string, id: string) =>
      `NOT EXISTS (SELECT 1 FROM ${HIDDEN_GRIDS_TABLE} h WHERE h.visibility = ${v} AND h.grid_id = ${id})`;
    const exists = (v: Visibility) =>
      `(c.${PARENT_VISIBILITY} = '${v}' AND EXISTS ` +
      `(SELECT 1 FROM ${GRID_TABLES[v]} p WHERE p.${ID} = c.${PARENT_ID}))`;
    return `WITH k AS (SELECT DISTINCT unnest($1::int[]) AS id)
      SELECT 'parent' AS kind, c.${ID} AS of, c.${PARENT_ID} AS id,
        c.${PARENT_VISIBILITY} AS visibility, NULL AS ipb_class, NULL::jsonb AS width,
        NULL::jsonb AS height, NULL::timestamptz AS created_at
      FROM k JOIN ${table} c ON c.${ID} = k.id
      WHERE c.${PARENT_ID} IS NOT NULL
        AND ${notHidden(`c.${PARENT_VISIBILITY}`, `c.${PARENT_ID}`)}
        AND (${exists('public')} OR ${exists('secret')})
      UNION ALL
      SELECT 'remix', k.id, r.id, NULL, r.ipb_class, r.width, r.height, r.created_at
      FROM k CROSS JOIN LATERAL (
        SELECT g.${ID} AS id, g.${IPB_CLASS} AS ipb_class, g.${GRID_DATA}->'width' AS width,
          g.${GRID_DATA}->'height' AS height, g.${CREATED_AT} AS created_at
        FROM ${GRID_TABLES.public} g
        WHERE g.${PARENT_VISIBILITY} = '${visibility}' AND g.${PARENT_ID} = k.id
          AND ${notHidden(`'public'`, `g.${ID}`)}
        ORDER BY g.${ID} DESC LIMIT $2
      ) r
      ORDER BY kind, of, id DESC`;
  }

  /**
   * The stored grid_data as JSON text straight from Postgres: `/get` sends it on without
   * parsing and re-serialising what can be megabytes.
   */
  async findGridDataJson(visibility: Visibility, id: number): Promise<string | null> {
    const row = await this.table(visibility)
      .createQueryBuilder('g')
      .select(`g.${GRID_DATA}::text`, 'json')
      .where('g.id = :id', { id })
      .getRawOne<{ json: string }>();
    return row?.json ?? null;
  }

  async findById(visibility: Visibility, id: number): Promise<StoredGrid | null> {
    const { entities, raw } = await this.table(visibility)
      .createQueryBuilder('g')
      .select([
        'g.id',
        'g.ipbVersion',
        'g.pythonVersion',
        'g.codeCells',
        'g.ipbClass',
        'g.createdAt',
      ])
      .addSelect(`g.${GRID_DATA}::text`, 'grid_data_json')
      .where('g.id = :id', { id })
      .getRawAndEntities<{ grid_data_json: string }>();
    const [grid] = entities;
    if (!grid) return null;
    return {
      id: grid.id,
      visibility,
      ipbVersion: grid.ipbVersion,
      pythonVersion: grid.pythonVersion,
      codeCells: codeCellsOf(grid.codeCells),
      ipbClass: ipbClassOf(grid.ipbClass),
      createdAt: grid.createdAt,
      gridDataJson: raw[0].grid_data_json,
    };
  }

  /** The grid's code cells alone (none: an empty list), or null when there is no such grid. */
  async findCodeCells(visibility: Visibility, id: number): Promise<string[] | null> {
    const grid = await this.table(visibility).findOne({
      select: { id: true, codeCells: true },
      where: { id },
    });
    return grid ? codeCellsOf(grid.codeCells) : null;
  }

  /**
   * The id of a random public grid that is not hidden, or null when there is none. Two index
   * lookups whatever the table size: a random point between the lowest and highest id (an
   * InitPlan Postgres evaluates once), then the first visible id at or after it; past the last
   * visible one, the first visible one. Ids have gaps (and hidden grids), so the grids just after
   * them come up a little more often; nobody can tell, and no `ORDER BY random()` scans a million
   * rows.
   */
  /**
   * Ids of up to `count` random public grids that are not hidden, in one round trip: for each of
   * `count` random points between the lowest and highest id, the first visible id at or after it
   * (two index lookups), else the first visible id at all (a point past the last visible grid).
   * Ids have gaps, so grids just after a gap come up a little more often; nobody can tell, and no
   * `ORDER BY random()` scans a million rows. Empty when there is no visible public grid.
   */
  async findRandomPublicIds(count: number): Promise<number[]> {
    this.randomPublicSql ??= this.randomPublicQuery();
    const rows = await this.dataSource.query<{ id: number | null }[]>(this.randomPublicSql, [
      count,
    ]);
    return rows.flatMap((row) => (row.id === null ? [] : [row.id]));
  }

  /** `findRandomPublicIds`'s SQL, built once from the entity's metadata. */
  private randomPublicQuery(): string {
    const table = this.table('public');
    const firstVisible = (from: string) =>
      table
        .createQueryBuilder('g')
        .select('g.id')
        .where(whereNotHidden('public', 'g'))
        .andWhere(`g.${ID} >= ${from}`)
        .orderBy('g.id')
        .limit(1)
        .getQuery();
    const bounds = table
      .createQueryBuilder('r')
      .select(`min(r.${ID})`, 'lo')
      .addSelect(`max(r.${ID})`, 'hi')
      .getQuery();
    // random() is evaluated once per generated row: one point each.
    const point = 'b.lo + floor(random() * (b.hi - b.lo + 1))::int';
    return (
      `SELECT coalesce((${firstVisible(point)}), (${firstVisible('b.lo')})) AS id ` +
      `FROM (${bounds}) b, generate_series(1, $1)`
    );
  }

  /**
   * The newest public grids that are not hidden, newest first, older than `beforeId` when given: keyset pagination
   * on the primary key, so page 1,000 costs what page 1 costs. Only width and height of
   * grid_data: a photo's blocks can be megabytes, and a list needs none of them.
   */
  findRecentPublic(beforeId: number | null, limit: number): Promise<GridSummary[]> {
    const query = this.summaries()
      .where(whereNotHidden('public', 'g'))
      .orderBy('g.id', 'DESC')
      .limit(limit);
    if (beforeId !== null) query.andWhere('g.id < :beforeId', { beforeId });
    return this.summaryRows(query);
  }

  /** Public grids as a list shows them: only width and height of grid_data. */
  private summaries(): SelectQueryBuilder<GridRecord> {
    return this.table('public')
      .createQueryBuilder('g')
      .select('g.id', 'id')
      .addSelect(`g.${IPB_CLASS}`, 'ipb_class')
      .addSelect(`g.${GRID_DATA}->'width'`, 'width')
      .addSelect(`g.${GRID_DATA}->'height'`, 'height')
      .addSelect(`g.${CREATED_AT}`, 'created_at');
  }

  private async summaryRows(query: SelectQueryBuilder<GridRecord>): Promise<GridSummary[]> {
    const rows = await query.getRawMany<SummaryRow>();
    return rows.map(summaryOf);
  }

  exists(visibility: Visibility, id: number): Promise<boolean> {
    return this.table(visibility).exists({ where: { id } });
  }

  count(visibility: Visibility): Promise<number> {
    return this.table(visibility).count();
  }
}

interface SummaryRow {
  id: number;
  ipb_class: string | null;
  width: unknown;
  height: unknown;
  created_at: Date | null;
}

function summaryOf(r: SummaryRow): GridSummary {
  return {
    id: r.id,
    ipbClass: ipbClassOf(r.ipb_class),
    width: r.width,
    height: r.height,
    createdAt: r.created_at,
  };
}

/** Code cells as stored, as the read model has them: a list of strings, empty for none. */
function codeCellsOf(stored: unknown): string[] {
  if (!Array.isArray(stored)) return [];
  return (stored as unknown[]).map((cell) =>
    typeof cell === 'string' ? cell : (JSON.stringify(cell) ?? ''),
  );
}
