import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ViewRenderer } from '../common/views';
import { GridCache } from './grid-cache';
import { GridIds } from './grid-ids';
import { GridPostPipe } from './grid-post.pipe';
import { GridsApiController } from './grids-api.controller';
import { GridsPagesController } from './grids-pages.controller';
import { GridsRepository } from './grids.repository';
import { GridsService } from './grids.service';
import { JsonBodyMiddleware } from './json-body.middleware';
import { LandingService } from './landing.service';

@Module({
  controllers: [GridsApiController],
  providers: [GridIds, GridCache, GridsRepository, GridsService, GridPostPipe, ViewRenderer],
  exports: [GridIds, GridCache, GridsRepository, GridsService],
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
