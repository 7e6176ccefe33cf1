import type { QueryRunner } from 'typeorm';
import { columnName } from './grid-columns';
import type { Visibility } from './grid-data';
import { GRID_ENTITIES, GRID_TABLES } from './grid.entity';
import { inLegacyTransaction } from './legacy-transaction';

/** A posted grid moved out of the file's id range. */
export interface MovedGrid {
  from: number;
  to: number;
}

/** What `reserveLegacyIds` found and did. */
export type IdReservation =
  /** The sequences are past the file's ids; posted grids in the range (if asked) were moved. */
  | { outcome: 'reserved'; moved: Partial<Record<Visibility, MovedGrid[]>> }
  /** Posted grids hold ids the file needs: nothing was changed. */
  | { outcome: 'posted-in-range'; posted: Partial<Record<Visibility, number[]>> }
  /** A dry run: nothing to report, nothing reserved. */
  | { outcome: 'checked' };

export interface ReserveOptions {
  dryRun: boolean;
  renumberPosted: boolean;
}

const ID = columnName('id');
const CREATED_AT = columnName('createdAt');
/** Rows posted through the site (imported ones have no created_at) at ids up to $1. */
const POSTED_AT_OR_BELOW = `${ID} <= $1 AND ${CREATED_AT} IS NOT NULL`;

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
export function reserveLegacyIds(
  runner: QueryRunner,
  maxIds: Partial<Record<Visibility, number>>,
  options: ReserveOptions,
): Promise<IdReservation> {
  const visibilities = Object.keys(maxIds) as Visibility[];
  return inLegacyTransaction<IdReservation>(runner, async () => {
    if (!options.dryRun) {
      // SHARE ROW EXCLUSIVE conflicts with the ROW EXCLUSIVE lock every INSERT takes (before it
      // draws its id) and with itself, and lets reads through.
      const tables = visibilities.map((v) => GRID_TABLES[v]).join(', ');
      await runner.query(`LOCK TABLE ${tables} IN SHARE ROW EXCLUSIVE MODE`);
    }
    const posted: Partial<Record<Visibility, number[]>> = {};
    for (const v of visibilities) {
      const ids = await postedIds(runner, v, maxIds[v]!);
      if (ids.length > 0) posted[v] = ids;
    }
    const found = Object.keys(posted).length > 0;
    if (options.dryRun || (found && !options.renumberPosted)) {
      const outcome: IdReservation = found
        ? { outcome: 'posted-in-range', posted }
        : { outcome: 'checked' };
      return { result: outcome, commit: false };
    }
    const moved: Partial<Record<Visibility, MovedGrid[]>> = {};
    for (const v of visibilities) {
      await moveIdSequencePast(runner, v, maxIds[v]!);
      if (posted[v]) moved[v] = await movePosted(runner, v, maxIds[v]!);
    }
    return { result: { outcome: 'reserved', moved }, commit: true };
  });
}

/** Ids of the grids posted through the site (not imported) at ids up to `maxId`, ascending. */
async function postedIds(runner: QueryRunner, visibility: Visibility, maxId: number) {
  const rows = await runner.manager
    .createQueryBuilder(GRID_ENTITIES[visibility], 'g')
    .select('g.id', 'id')
    .where('g.id <= :maxId', { maxId })
    .andWhere('g.createdAt IS NOT NULL')
    .orderBy('g.id')
    .getRawMany<{ id: number }>();
  return rows.map((r) => r.id);
}

/** Posted grids at ids up to `maxId` take the sequence's next ids, in id order. */
async function movePosted(
  runner: QueryRunner,
  visibility: Visibility,
  maxId: number,
): Promise<MovedGrid[]> {
  const table = GRID_TABLES[visibility];
  // No query builder API for an UPDATE ... FROM a CTE that draws from the sequence in id order.
  const { records } = await runner.query(
    `WITH moved AS (
       SELECT ${ID} AS from_id, nextval(pg_get_serial_sequence('${table}', '${ID}'))::int AS to_id
       FROM (SELECT ${ID} FROM ${table} WHERE ${POSTED_AT_OR_BELOW} ORDER BY ${ID}) posted
     )
     UPDATE ${table} t SET ${ID} = moved.to_id FROM moved WHERE t.${ID} = moved.from_id
     RETURNING moved.from_id AS "from", moved.to_id AS "to"`,
    [maxId],
    true,
  );
  return (records as MovedGrid[]).sort((a, b) => a.from - b.from);
}

/** Moves the table's id sequence to at least `id` (never back). */
async function moveIdSequencePast(
  runner: QueryRunner,
  visibility: Visibility,
  id: number,
): Promise<void> {
  const table = GRID_TABLES[visibility];
  await runner.query(
    `SELECT setval(seq, target) FROM (
       SELECT pg_get_serial_sequence($1, '${ID}')::regclass AS seq,
              GREATEST($2::int, (SELECT coalesce(max(${ID}), 0) FROM ${table})) AS target
     ) s
     WHERE target > coalesce(pg_sequence_last_value(seq), 0)`,
    [table, id],
  );
}
