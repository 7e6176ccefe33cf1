import type { QueryRunner } from 'typeorm';

/**
 * Runs `work` in a transaction on the import's own connection. `work` says whether to keep what
 * it did: a dry run does everything and rolls back. On a failure the transaction is rolled back
 * (if the connection can still take it) and the failure goes on to the caller.
 */
export async function inLegacyTransaction<T>(
  runner: QueryRunner,
  work: () => Promise<{ result: T; commit: boolean }>,
): Promise<T> {
  await runner.startTransaction();
  try {
    const { result, commit } = await work();
    await (commit ? runner.commitTransaction() : runner.rollbackTransaction());
    return result;
  } catch (err) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw err;
  }
}
