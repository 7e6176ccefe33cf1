import { Module } from '@nestjs/common';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';

/**
 * The post rate limit's counters, in the database every web process shares (see
 * PostgresThrottlerStorage). GridApiModule hands the storage to `@nestjs/throttler`.
 */
@Module({
  providers: [PostgresThrottlerStorage],
  exports: [PostgresThrottlerStorage],
})
export class RateLimitModule {}
