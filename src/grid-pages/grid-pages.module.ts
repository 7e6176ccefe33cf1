import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { ViewRenderer } from '../common/views';
import { AppConfig } from '../config/app-config';
import { GridCache } from './answer-cache';
import { GridIds } from '../grid-storage/grid-ids';
import { GridPostPipe } from '../grid-api/grid-post.pipe';
import { GridWorker } from './grid-worker.service';
import { GridsApiController } from '../grid-api/grid-api.controller';
import { GridsPagesController } from './grid-pages.controller';
import { GridsRepository } from '../grid-storage/grids.repository';
import { GridsService } from './grid-answers.service';
import { JsonBodyMiddleware } from '../grid-api/json-body.middleware';
import { LandingService } from './landing.service';

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
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
    GridIds,
    GridCache,
    GridsRepository,
    GridsService,
    GridPostPipe,
    GridWorker,
    ViewRenderer,
  ],
  exports: [GridIds, GridCache, GridsRepository, GridsService, GridWorker],
})
export class GridsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonBodyMiddleware).forRoutes({ path: 'post', method: RequestMethod.POST });
  }
}

/**
 * The page routes, in a module of their own so AppModule can import it last: `/:hashId` must be
 * registered after every other route.
 */
@Module({
  imports: [GridsModule],
  controllers: [GridsPagesController],
  providers: [LandingService],
})
export class GridPagesModule {}
