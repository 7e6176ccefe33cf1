import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, QueryConfig, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { inBoundedTransaction, type TransactionBudget } from '../database/bounded-transaction';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { Visibility } from './grid-data';
import { GRID_TABLES, type GridRecord } from './grid.entity';

export type NewGrid = Pick<
  GridRecord,
  'ipbVersion' | 'pythonVersion' | 'codeCells' | 'ipbClass' | 'secret'
> & { gridDataJson: string };

/**
 * A stored grid as the pages need it. `gridDataJson` stays text: a photo's grid_data is megabytes
 * of numbers, parsed only on the grid worker thread (see GridWorker).
 */
export type StoredGrid = Omit<GridRecord, 'gridData'> & { gridDataJson: string };

/** How long past the statement timeout a post waits for the database to say it cancelled. */
const ANSWER_GRACE_MS = 1000;

/** One named query per table: Postgres parses and plans it once per connection. */
function statements(build: (table: string) => string, name: string) {
  return {
    public: { name: `${name}_public`, text: build(GRID_TABLES.public) },
    secret: { name: `${name}_secret`, text: build(GRID_TABLES.secret) },
  };
}

const INSERT = statements(
  (t) =>
    `INSERT INTO ${t} (ipb_version, python_version, grid_data, code_cells, ipb_class, secret)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
  'grid_insert',
);
const GRID_DATA_JSON = statements(
  (t) => `SELECT grid_data::text AS json FROM ${t} WHERE id = $1`,
  'grid_data_json',
);
const FIND = statements(
  (t) =>
    `SELECT id, ipb_version, python_version, grid_data::text AS grid_data_json, code_cells,
            ipb_class, secret, created_at
     FROM ${t} WHERE id = $1`,
  'grid_find',
);

// One round trip, two index lookups whatever the table size: a random point between the lowest
// and highest id (an InitPlan evaluated once), then the first id at or after it.
const RANDOM_PUBLIC = {
  name: 'grid_random_public',
  text: `SELECT id FROM public_grids
         WHERE id >= (SELECT min(id) + floor(random() * (max(id) - min(id) + 1))::int FROM public_grids)
         ORDER BY id LIMIT 1`,
};

// width/height only: a photo ImageGrid's blocks can be megabytes, and a list needs none of them.
const RECENT_COLUMNS = `id, ipb_class, grid_data->'width' AS width, grid_data->'height' AS height, created_at`;
const RECENT_PUBLIC = {
  name: 'grid_recent_public',
  text: `SELECT ${RECENT_COLUMNS} FROM public_grids ORDER BY id DESC LIMIT $1`,
};
const RECENT_PUBLIC_BEFORE = {
  name: 'grid_recent_public_before',
  text: `SELECT ${RECENT_COLUMNS} FROM public_grids WHERE id < $1 ORDER BY id DESC LIMIT $2`,
};

/** One entry of the gallery of recent public grids. */
export interface GridSummary {
  id: number;
  ipbClass: string;
  width: unknown;
  height: unknown;
  /** Null for an imported grid: the legacy site kept no posting date. */
  createdAt: Date | null;
}

interface GridRow {
  id: number;
  ipb_version: string;
  python_version: GridRecord['pythonVersion'];
  grid_data_json: string;
  code_cells: string[] | null;
  ipb_class: string;
  secret: boolean;
  created_at: Date | null;
}

/**
 * All grid queries. The entities and migrations describe the tables; the queries here run on
 * TypeORM's own pg pool (one pool, one configuration) as prepared statements, because these are
 * the hot paths of the service and the ORM's query building costs more than the query itself.
 */
@Injectable()
export class GridsRepository {
  private readonly pool: Pool;
  private readonly prepared: boolean;
  private readonly budget: TransactionBudget;

  constructor(@InjectDataSource() dataSource: DataSource, config: AppConfig) {
    this.pool = (dataSource.driver as PostgresDriver).master as Pool;
    // A named statement outlives its connection where sessions are shared: PGlite is one session
    // behind its socket, and a transaction pooler hands a session to any connection. Preparing
    // it again on a new connection then fails, so those get the same SQL unnamed.
    this.prepared = config.database.kind === 'server' && config.database.preparedStatements;
    this.budget = {
      statementTimeoutMs: config.databaseStatementTimeoutMs,
      graceMs: ANSWER_GRACE_MS,
    };
  }

  private async rows<R extends QueryResultRow>(query: QueryConfig): Promise<R[]> {
    return (await this.pool.query<R>(this.named(query))).rows;
  }

  private named(query: QueryConfig): QueryConfig {
    return this.prepared ? query : { text: query.text, values: query.values };
  }

  /**
   * Stores a grid and answers its id. One explicit transaction with a time budget, so a failure
   * says whether the grid is stored (see `inBoundedTransaction`): an error means it is not,
   * except `CommitUnconfirmedError`, whose `result` is the id it has if it is.
   */
  async insert(visibility: Visibility, grid: NewGrid): Promise<number> {
    return inBoundedTransaction(this.pool, this.budget, async (query) => {
      const [row] = await query<{ id: number }>(
        this.named({
          ...INSERT[visibility],
          values: [
            grid.ipbVersion,
            JSON.stringify(grid.pythonVersion),
            grid.gridDataJson,
            // SQL NULL, never the jsonb null: one form for "no code cells", as the import writes it.
            grid.codeCells === null ? null : JSON.stringify(grid.codeCells),
            grid.ipbClass,
            grid.secret,
          ],
        }),
      );
      return row.id;
    });
  }

  /**
   * The stored grid_data as JSON text straight from Postgres: `/get` sends it on without
   * parsing and re-serialising what can be hundreds of kilobytes.
   */
  async findGridDataJson(visibility: Visibility, id: number): Promise<string | null> {
    const [row] = await this.rows<{ json: string }>({
      ...GRID_DATA_JSON[visibility],
      values: [id],
    });
    return row ? row.json : null;
  }

  async findById(visibility: Visibility, id: number): Promise<StoredGrid | null> {
    const [row] = await this.rows<GridRow>({ ...FIND[visibility], values: [id] });
    if (!row) return null;
    return {
      id: row.id,
      ipbVersion: row.ipb_version,
      pythonVersion: row.python_version,
      gridDataJson: row.grid_data_json,
      codeCells: row.code_cells,
      ipbClass: row.ipb_class,
      secret: row.secret,
      createdAt: row.created_at,
    };
  }

  /**
   * The id of a random public grid, or null when there is none. Ids have gaps, so grids just
   * after a gap come up a little more often; nobody can tell, and no `ORDER BY random()` scans
   * a million rows.
   */
  async findRandomPublicId(): Promise<number | null> {
    const [row] = await this.rows<{ id: number }>(RANDOM_PUBLIC);
    return row ? row.id : null;
  }

  /**
   * The newest public grids, newest first, older than `beforeId` when given: keyset pagination
   * on the primary key, so page 1,000 costs what page 1 costs.
   */
  async findRecentPublic(beforeId: number | null, limit: number): Promise<GridSummary[]> {
    const rows = await this.rows<{
      id: number;
      ipb_class: string;
      width: unknown;
      height: unknown;
      created_at: Date | null;
    }>(
      beforeId === null
        ? { ...RECENT_PUBLIC, values: [limit] }
        : { ...RECENT_PUBLIC_BEFORE, values: [beforeId, limit] },
    );
    return rows.map((r) => ({
      id: r.id,
      ipbClass: r.ipb_class,
      width: r.width,
      height: r.height,
      createdAt: r.created_at,
    }));
  }

  async count(visibility: Visibility): Promise<number> {
    const [row] = await this.rows<{ n: string }>({
      text: `SELECT count(*) AS n FROM ${GRID_TABLES[visibility]}`,
    });
    return Number(row.n);
  }
}
