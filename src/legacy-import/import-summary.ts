import type { Logger } from '@nestjs/common';
import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { exitCodeOf, type ImportReport } from './import-report';
import { ImportInterrupted } from './import-run';
import { LegacyFileError } from './legacy-sqlite.reader';
import { RejectsFileError } from './rejects-file';

/** A run's report from what its passes filled in: ids in order, the rates, the exit code. */
export function summarise(report: Omit<ImportReport, 'exitCode' | 'rowsPerSecond'>): ImportReport {
  for (const t of report.tables) {
    for (const ids of [t.conflictIds, t.overwrittenIds, t.invalidUtf8Ids]) {
      ids.sort((a, b) => a - b);
    }
    t.rejects.sort((a, b) => Number(a.id) - Number(b.id));
  }
  const read = report.tables.reduce((n, t) => n + t.read, 0);
  const seconds = report.importSeconds;
  const summed = { ...report, rowsPerSecond: seconds > 0 ? Math.round(read / seconds) : 0 };
  return { ...summed, exitCode: exitCodeOf(summed) };
}

/** Where the rows go, as the report names it. */
export function describeTarget(config: AppConfig): string {
  const db = config.database;
  if (db.kind === 'embedded') return `the embedded database in ${db.dataDir}`;
  // Never print the password.
  const url = new URL(db.url);
  return `Postgres at ${url.host}${url.pathname}`;
}

/**
 * Why a run stopped, as the operator reads it. Only a failure nobody foresaw (a bug) is logged
 * with its stack.
 */
export function describeFailure(failure: unknown, logger: Logger): string {
  // TypeORM wraps what the driver threw; COPY's failures come from the driver as they are.
  const err = failure instanceof QueryFailedError ? (failure.driverError as unknown) : failure;
  const expected = [LegacyFileError, RejectsFileError, ImportInterrupted];
  if (expected.some((kind) => err instanceof kind)) return (err as Error).message;
  if (err instanceof DatabaseError) return `database error: ${err.message}`;
  const message = err instanceof Error ? err.message : String(err);
  // A system error (a refused connection, a full disk) is the operator's to fix, not a bug.
  if (typeof (err as { code?: unknown })?.code === 'string') return message;
  logger.error(message, err instanceof Error ? err.stack : undefined);
  return message;
}
