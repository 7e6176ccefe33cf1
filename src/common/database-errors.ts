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

/**
 * True when an error means "the database cannot be reached right now", as opposed to a bug:
 * such requests deserve a 503 the client may retry, not a 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && depth < 4; depth++) {
    if (e instanceof CommitUnconfirmedError) return false;
    const code = typeof e.code === 'string' ? e.code : '';
    if (CONNECTION_ERROR_CODES.has(code)) return true;
    if (e instanceof DatabaseTimeoutError) return true;
    // SQLSTATE class 08 (connection exception), 57P0x (admin/crash shutdown, cannot connect) and
    // 57014 (statement cancelled: statement_timeout ran out).
    if (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === '57014') return true;
    if (typeof e.message === 'string' && CONNECTION_ERROR_MESSAGES.test(e.message)) return true;
    e = (e.driverError ?? e.cause) as Record<string, unknown> | undefined;
  }
  return false;
}
