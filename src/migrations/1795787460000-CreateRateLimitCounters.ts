import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The post rate limit's counters, shared by every web process (src/rate-limit/). UNLOGGED: a
 * counter is worth nothing after a crash, so its writes skip the write-ahead log (cheaper per
 * post) and Postgres empties the table when it recovers from one; PGlite does the same. Heroku
 * Postgres followers do not get UNLOGGED rows: nothing reads the counters there.
 *
 * No index but the key: the sweep of expired rows is a bounded scan, and an index on a column
 * each post updates would keep those updates from being HOT (in place, in the same page).
 */
export class CreateRateLimitCounters1795787460000 implements MigrationInterface {
  name = 'CreateRateLimitCounters1795787460000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE UNLOGGED TABLE rate_limit_counters (
        key text PRIMARY KEY,
        hits integer NOT NULL,
        resets_at timestamptz NOT NULL,
        blocked boolean NOT NULL
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Counters only: dropping them forgets who posted in the last minute, nothing else.
    await queryRunner.query(`DROP TABLE rate_limit_counters`);
  }
}
