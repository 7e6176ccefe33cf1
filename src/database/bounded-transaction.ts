import { DatabaseError, type PoolClient } from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { CommitUnconfirmedError, DatabaseTimeoutError } from '../common/database-errors';

export interface TransactionBudget {
  /** Postgres cancels a statement that runs longer (`SET LOCAL statement_timeout`). */
  statementTimeoutMs: number;
  /**
   * How much longer the app waits for an answer before it drops the connection: a database that
   * is alive cancels the statement itself first, and says so.
   */
  graceMs: number;
}

/**
 * `work` in BEGIN ... COMMIT on one connection of TypeORM's pool, within a time budget, so that
 * every failure has a known outcome:
 * - anything that fails or runs out of time before COMMIT is sent (no connection, a statement
 *   error, no answer) drops the connection without sending COMMIT: Postgres rolls back, nothing
 *   is stored, and the error is thrown as it is;
 * - if COMMIT was sent and the database refused it, nothing is stored either;
 * - if COMMIT was sent and no answer came in time (or the connection died), the outcome is
 *   unknown: `CommitUnconfirmedError` carries what `work` returned.
 *
 * BEGIN, then `work` (its statements through the manager given), share one budget (statement
 * timeout plus grace); COMMIT gets its own. A connection that failed anything is never reused:
 * it may still have a statement in flight.
 */
export async function inBoundedTransaction<T>(
  dataSource: DataSource,
  budget: TransactionBudget,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const connection = new BoundedRunner(
    dataSource.createQueryRunner(),
    budget.statementTimeoutMs + budget.graceMs,
  );
  let result: T;
  const deadline = connection.deadline();
  try {
    await connection.within(deadline, connection.connected);
    // statement_timeout as a startup parameter is refused by PgBouncer and ignored by PGlite;
    // SET LOCAL works everywhere, and costs nothing in the same round trip as BEGIN.
    await connection.within(
      deadline,
      connection.runner.query(`BEGIN; SET LOCAL statement_timeout = ${budget.statementTimeoutMs}`),
    );
    result = await connection.within(deadline, work(connection.runner.manager));
  } catch (err) {
    connection.drop();
    throw err;
  }
  try {
    await connection.within(connection.deadline(), connection.runner.query('COMMIT'));
  } catch (err) {
    connection.drop();
    throw refusedByDatabase(err) ? err : new CommitUnconfirmedError(result, err);
  }
  await connection.release();
  return result;
}

/**
 * One statement on its own (autocommit: no BEGIN or COMMIT round trips), answered within
 * `limitMs` of asking for a connection, or a DatabaseTimeoutError and the connection dropped.
 * For small writes whose loss is harmless (a counter): Postgres runs no timer for it, so a
 * statement the app gave up on may still be applied later.
 */
export async function inBoundedStatement<T>(
  dataSource: DataSource,
  limitMs: number,
  sql: string,
  parameters: unknown[],
): Promise<T> {
  const connection = new BoundedRunner(dataSource.createQueryRunner(), limitMs);
  const deadline = connection.deadline();
  try {
    await connection.within(deadline, connection.connected);
    const result = await connection.within<T>(
      deadline,
      connection.runner.query(sql, parameters) as Promise<T>,
    );
    await connection.release();
    return result;
  } catch (err) {
    connection.drop();
    throw err;
  }
}

/**
 * The database answered the statement with an ERROR (not FATAL or PANIC, after which it may have
 * committed and then died): it did not commit. Severities are localised; an unknown word counts
 * as "not sure", which only ever errs towards the honest unknown-outcome answer.
 */
function refusedByDatabase(err: unknown): boolean {
  const driverError = (err as { driverError?: unknown }).driverError ?? err;
  return driverError instanceof DatabaseError && driverError.severity === 'ERROR';
}

/** A query runner whose statements each get a deadline, and which is dropped on failure. */
class BoundedRunner {
  private done = false;
  /** The pool's connection, through TypeORM's own door to it. */
  readonly connected: Promise<PoolClient>;

  constructor(
    readonly runner: QueryRunner,
    /** How long a statement (with the connection it waits for, for the first) may take. */
    private readonly limitMs: number,
  ) {
    this.connected = runner.connect() as Promise<PoolClient>;
    // Settled (or dropped) through `within`; never an unhandled rejection.
    this.connected.catch(() => undefined);
  }

  deadline(): number {
    return Date.now() + this.limitMs;
  }

  /** `statement`, or a DatabaseTimeoutError (the connection dropped) once `deadline` passes. */
  within<R>(deadline: number, statement: Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          const err = new DatabaseTimeoutError(
            `no answer from the database within ${this.limitMs} ms`,
          );
          // Dropping the connection settles the statement in flight; its own error then is ignored.
          this.drop();
          reject(err);
        },
        Math.max(0, deadline - Date.now()),
      );
      statement.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          // Kept as the cause: an Error of another realm (jest's sandbox) is no `instanceof Error`,
          // and its code (ECONNREFUSED...) is what tells an outage from a bug.
          reject(err instanceof Error ? err : new Error(String(err), { cause: err }));
        },
      );
    });
  }

  async release(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.runner.release();
  }

  /**
   * Closes the connection instead of returning it to the pool: ended, nothing more is sent on it
   * (COMMIT least of all), and pg-pool discards a client that is ending when it is released.
   * The connection may still be on its way (the budget ran out while waiting for one): it is
   * ended when it comes.
   */
  drop(): void {
    if (this.done) return;
    this.done = true;
    this.connected
      .then(
        (client) => {
          client.end().catch(() => undefined);
          return this.runner.release();
        },
        () => this.runner.release(),
      )
      .catch(() => undefined);
  }
}
