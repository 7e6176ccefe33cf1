/** The database did not answer in the time the app gives it; the connection was dropped. */
export class DatabaseTimeoutError extends Error {
  override readonly name = 'DatabaseTimeoutError';
}

/**
 * COMMIT was sent and no answer came: the transaction may or may not have committed. Never a
 * "try again" 503: retrying could store the same thing twice. `result` is what the transaction
 * produced before COMMIT (e.g. the id the row got).
 */
export class CommitUnconfirmedError<T = unknown> extends Error {
  override readonly name = 'CommitUnconfirmedError';
  constructor(
    readonly result: T,
    cause: unknown,
  ) {
    super(`COMMIT was sent but not confirmed: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
  }
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);

const CONNECTION_ERROR_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established|Query read timeout|the database system is (starting up|shutting down)/i;

/** Emscripten's ENOSPC: PGlite's file layer throws `ErrnoError { errno: 51 }`, with no message. */
const EMSCRIPTEN_ENOSPC = 51;

/** The error and the ones it wraps (TypeORM's driverError, `cause`). */
function* causes(err: unknown): Generator<Record<string, unknown>> {
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && depth < 4; depth++) {
    yield e;
    e = (e.driverError ?? e.cause) as Record<string, unknown> | undefined;
  }
}

/**
 * True when an error means "the database cannot be reached right now", as opposed to a bug:
 * such requests deserve a 503 the client may retry, not a 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of causes(err)) {
    if (e instanceof CommitUnconfirmedError) return false;
    const code = typeof e.code === 'string' ? e.code : '';
    if (CONNECTION_ERROR_CODES.has(code)) return true;
    if (e instanceof DatabaseTimeoutError) return true;
    // SQLSTATE class 08 (connection exception), 57P0x (admin/crash shutdown, cannot connect),
    // 57014 (statement cancelled: statement_timeout ran out), and class 53 (insufficient
    // resources: out of memory, too many connections) but disk_full.
    if (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === '57014') return true;
    if (/^53/.test(code) && code !== '53100') return true;
    if (typeof e.message === 'string' && CONNECTION_ERROR_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/**
 * True when the database (SQLSTATE 53300, "sorry, too many clients already") or a PgBouncer in
 * front of it (max_client_conn) refuses a connection because all of its slots are taken.
 */
export function isTooManyConnections(err: unknown): boolean {
  for (const e of causes(err)) {
    if (e.code === '53300') return true;
    if (typeof e.message === 'string' && /no more connections allowed/i.test(e.message)) {
      return true;
    }
  }
  return false;
}

/**
 * True when the database's disk is full (SQLSTATE 53100 disk_full, ENOSPC, PGlite's errno 51):
 * nothing can be written until someone frees space, so retrying soon does not help.
 */
export function isDiskFull(err: unknown): boolean {
  for (const e of causes(err)) {
    if (e.code === '53100' || e.code === 'ENOSPC') return true;
    if (e.name === 'ErrnoError' && e.errno === EMSCRIPTEN_ENOSPC) return true;
    if (typeof e.message === 'string' && /no space left on device/i.test(e.message)) return true;
  }
  return false;
}

/**
 * True when a table or column the code needs is missing (SQLSTATE 42P01 undefined_table, 42703
 * undefined_column): the schema is behind the code, as it is between a deploy's build and the
 * end of its release phase (`npm run migration:run`), or when nobody ran it.
 */
export function isSchemaBehind(err: unknown): boolean {
  for (const e of causes(err)) {
    if (e.code === '42P01' || e.code === '42703') return true;
  }
  return false;
}
