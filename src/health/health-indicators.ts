import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import {
  DatabaseTimeoutError,
  isDatabaseUnavailable,
  isTooManyConnections,
} from '../common/database-errors';
import { AppLifecycle } from '../common/lifecycle';
import { schemaProblem } from '../database/schema-status';
import { StorageMonitor } from '../database/storage-monitor';

/** A timer this late fired late because the event loop was busy, not because time ran out. */
const LATE_TIMER_MS = 50;

/**
 * Rejects when `work` has not settled after `ms` of time the event loop was free to notice it
 * settling. A loop blocked for a while (a big synchronous job, a paused process) makes the
 * timer fire late, maybe with the database's answer already waiting to be read: the lost time
 * is given back, once per lateness, up to ten times `ms` in all.
 */
export function loopAwareTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let credit = 0;
    const arm = (delay: number) => {
      const due = performance.now() + delay;
      timer = setTimeout(() => {
        const late = performance.now() - due;
        if (late > LATE_TIMER_MS && credit + late <= 10 * ms) {
          credit += late;
          arm(late);
        } else {
          reject(new DatabaseTimeoutError(`no answer within ${ms} ms`));
        }
      }, delay);
    };
    arm(ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * What /health checks: the database answers, its schema is the code's, it has room to write,
 * the process is serving.
 */
@Injectable()
export class HealthIndicators {
  /**
   * Once the schema is found complete it stays so: a running app never sees its migrations
   * reverted (`migration:revert` is for a stopped app), and /health stays one query.
   */
  private schemaComplete = false;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly storage: StorageMonitor,
    private readonly lifecycle: AppLifecycle,
  ) {}

  /**
   * The database answers, and its schema is the code's: one result, so that a database that
   * cannot be reached is named as such (`database: too many connections`), whichever of the two
   * queries was the one refused. The schema is then not reported: it could not be asked.
   */
  async database(timeoutMs: number): Promise<HealthIndicatorResult> {
    const [reached, schema] = await Promise.allSettled([
      loopAwareTimeout(this.dataSource.query('SELECT 1'), timeoutMs),
      this.schemaComplete ? undefined : loopAwareTimeout(schemaProblem(this.dataSource), timeoutMs),
    ]);
    const unreachable = [reached, schema].find(
      (r): r is PromiseRejectedResult =>
        r.status === 'rejected' && (r === reached || isDatabaseUnavailable(r.reason)),
    );
    const database = this.indicators.check('database');
    if (unreachable) return database.down({ message: describe(unreachable.reason) });
    const problem =
      schema.status === 'rejected' ? describe(schema.reason) : (schema.value ?? undefined);
    if (problem === undefined) this.schemaComplete = true;
    const check = this.indicators.check('schema');
    return {
      ...database.up(),
      ...(problem === undefined ? check.up() : check.down({ message: problem })),
    };
  }

  storageRoom(key: string) {
    const indicator = this.indicators.check(key);
    const problem = this.storage.problem();
    return problem === undefined ? indicator.up() : indicator.down({ message: problem });
  }

  /** Down while draining for a shutdown, or when the process failed and is about to exit. */
  serving(key: string) {
    const indicator = this.indicators.check(key);
    const state = this.lifecycle.failure ?? (this.lifecycle.draining ? 'shutting down' : undefined);
    return state === undefined ? indicator.up() : indicator.down({ message: state });
  }
}

/** What /health says of a failed query: "too many connections" rather than each server's words. */
function describe(err: unknown): string {
  if (isTooManyConnections(err)) return 'too many connections';
  return err instanceof Error ? err.message : String(err);
}
