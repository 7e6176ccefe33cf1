import { DatabaseError } from 'pg';
import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
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

/** Runs one statement of the transaction; answers its rows. */
export type TransactionQuery = <R extends QueryResultRow>(query: QueryConfig) => Promise<R[]>;

/**
 * `work` in BEGIN ... COMMIT on one connection, within a time budget, so that every failure has
 * a known outcome:
 * - anything that fails or runs out of time before COMMIT is sent (no connection, a statement
 *   error, no answer) drops the connection without sending COMMIT: Postgres rolls back, nothing
 *   is stored, and the error is thrown as it is;
 * - if COMMIT was sent and the database refused it, nothing is stored either;
 * - if COMMIT was sent and no answer came in time (or the connection died), the outcome is
 *   unknown: `CommitUnconfirmedError` carries what `work` returned.
 *
 * BEGIN, then `work`, share one budget (statement timeout plus grace); COMMIT gets its own. A
 * connection that failed anything is never reused: it may still have a statement in flight.
 */
export async function inBoundedTransaction<T>(
  pool: Pool,
  budget: TransactionBudget,
  work: (query: TransactionQuery) => Promise<T>,
): Promise<T> {
  const connection = new BoundedConnection(await pool.connect(), budget);
  let result: T;
  try {
    const deadline = connection.deadline();
    // statement_timeout as a startup parameter is refused by PgBouncer and ignored by PGlite;
    // SET LOCAL works everywhere, and costs nothing in the same round trip as BEGIN.
    await connection.query(
      { text: `BEGIN; SET LOCAL statement_timeout = ${budget.statementTimeoutMs}` },
      deadline,
    );
    result = await work(
      async <R extends QueryResultRow>(query: QueryConfig) =>
        (await connection.query<R>(query, deadline)).rows,
    );
  } catch (err) {
    connection.drop(err);
    throw err;
  }
  try {
    await connection.query({ text: 'COMMIT' }, connection.deadline());
  } catch (err) {
    connection.drop(err);
    throw refusedByDatabase(err) ? err : new CommitUnconfirmedError(result, err);
  }
  connection.release();
  return result;
}

/**
 * The database answered the statement with an ERROR (not FATAL or PANIC, after which it may have
 * committed and then died): it did not commit. Severities are localised; an unknown word counts
 * as "not sure", which only ever errs towards the honest unknown-outcome answer.
 */
function refusedByDatabase(err: unknown): boolean {
  return err instanceof DatabaseError && err.severity === 'ERROR';
}

/** A pool connection whose statements each get a deadline, and which is dropped on failure. */
class BoundedConnection {
  private done = false;

  constructor(
    private readonly client: PoolClient,
    private readonly budget: TransactionBudget,
  ) {
    // A checked-out client reports a dead socket as an 'error' event, which would crash the
    // process unheard; the statement in flight fails with the same error, and is handled there.
    client.on('error', ignoreSocketError);
  }

  deadline(): number {
    return Date.now() + this.budget.statementTimeoutMs + this.budget.graceMs;
  }

  query<R extends QueryResultRow>(query: QueryConfig, deadline: number) {
    return new Promise<QueryResult<R>>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          const err = new DatabaseTimeoutError(
            `no answer from the database within ${this.budget.statementTimeoutMs + this.budget.graceMs} ms`,
          );
          // Dropping the connection settles the statement in flight; its own error then is ignored.
          this.drop(err);
          reject(err);
        },
        Math.max(0, deadline - Date.now()),
      );
      this.client.query<R>(query).then(
        (res) => {
          clearTimeout(timer);
          resolve(res);
        },
        (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  release(): void {
    if (this.done) return;
    this.done = true;
    this.client.off('error', ignoreSocketError);
    this.client.release();
  }

  /**
   * Closes the connection instead of returning it to the pool (pg-pool's documented
   * `release(err)`); pg destroys the socket at once when a statement is in flight, so nothing
   * more is sent on it, COMMIT least of all.
   */
  drop(cause: unknown): void {
    if (this.done) return;
    this.done = true;
    this.client.off('error', ignoreSocketError);
    this.client.release(cause instanceof Error ? cause : new Error(String(cause)));
  }
}

function ignoreSocketError(): void {}
