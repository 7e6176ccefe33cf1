import {
  CommitUnconfirmedError,
  DatabaseTimeoutError,
  isDatabaseUnavailable,
  isTooManyConnections,
} from './database-errors';

describe('isDatabaseUnavailable', () => {
  it('says "try again" for a database that did not answer or cancelled a statement', () => {
    expect(isDatabaseUnavailable(new DatabaseTimeoutError('no answer'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('timeout'), { code: '57014' }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('never says "try again" for an unconfirmed COMMIT, whatever its cause', () => {
    const timeout = new DatabaseTimeoutError('no answer');
    expect(isDatabaseUnavailable(new CommitUnconfirmedError(42, timeout))).toBe(false);
    const wrapped = Object.assign(new Error('wrapped'), {
      cause: new CommitUnconfirmedError(42, timeout),
    });
    expect(isDatabaseUnavailable(wrapped)).toBe(false);
  });

  it('leaves other errors to be 500s', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('bad'), { code: '22P02' }))).toBe(false);
  });
});

describe('isTooManyConnections', () => {
  it.each([
    [{ code: '53300', message: 'sorry, too many clients already' }, true],
    [{ code: '08P01', message: 'no more connections allowed (max_client_conn)' }, true],
    [{ driverError: { code: '53300' } }, true],
    [{ code: '53100', message: 'could not extend file: No space left on device' }, false],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, false],
  ])('%j: %p', (err, expected) => {
    expect(isTooManyConnections(err)).toBe(expected);
  });
});
