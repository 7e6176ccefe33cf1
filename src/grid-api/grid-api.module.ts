import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { WorkerPoolModule } from '../common/worker-pool';
import { AppConfig } from '../config/app-config';
import { GridLineageModule } from '../grid-lineage/grid-lineage.module';
import { GridPagesModule } from '../grid-pages/grid-pages.module';
import { GridStorageModule } from '../grid-storage/grid-storage.module';
import { PostgresThrottlerStorage } from '../rate-limit/postgres-throttler.storage';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { GridsApiController } from './grid-api.controller';
import { GRID_LIMITS } from './grid-post.pipe';
import { GridPublisher } from './grid-publisher';
import { BodyReader } from './body-reader';
import { JsonBodyInterceptor } from './json-body.interceptor';

/**
 * The JSON API the installed ipythonblocks client speaks: `POST /post` (post_to_web) and
 * `GET /get/<id>` (from_web), with the post's parsing, validation and rate limit. Grids are
 * stored through GridStorageModule; `/get` answers come from GridPagesModule's cache.
 */
@Module({
  imports: [
    GridStorageModule,
    GridPagesModule,
    GridLineageModule,
    WorkerPoolModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitModule],
      inject: [AppConfig, PostgresThrottlerStorage],
      useFactory: (config: AppConfig, storage: PostgresThrottlerStorage) => ({
        // Counted in the database, so the limit holds across every web process.
        storage,
        throttlers: [{ ttl: 60_000, limit: Math.max(1, config.postRateLimit) }],
        skipIf: () => config.postRateLimit === 0,
        errorMessage: (_context, detail) =>
          `Too many posts from this address: at most ${detail.limit} a minute (POST_RATE_LIMIT). ` +
          `Try again in ${detail.timeToBlockExpire} s.`,
      }),
    }),
  ],
  controllers: [GridsApiController],
  providers: [
    { provide: GRID_LIMITS, inject: [AppConfig], useFactory: (config: AppConfig) => config.limits },
    GridPublisher,
    BodyReader,
    JsonBodyInterceptor,
  ],
})
export class GridApiModule {}
