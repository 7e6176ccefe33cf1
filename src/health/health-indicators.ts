import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { DatabaseTimeoutError } from '../common/database-errors';
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

  async database(key: string, timeoutMs: number) {
    const indicator = this.indicators.check(key);
    try {
      await loopAwareTimeout(this.dataSource.query('SELECT 1'), timeoutMs);
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }

  /** Down while migrations this build has are not applied: grid routes would answer 500. */
  async schema(key: string, timeoutMs: number) {
    const indicator = this.indicators.check(key);
    if (this.schemaComplete) return indicator.up();
    try {
      const problem = await loopAwareTimeout(schemaProblem(this.dataSource), timeoutMs);
      if (problem !== undefined) return indicator.down({ message: problem });
      this.schemaComplete = true;
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
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
