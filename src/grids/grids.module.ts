import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { GridCache } from './grid-cache';
import { GridIds } from './grid-ids';
import { GridPostPipe } from './grid-post.pipe';
import { GridsApiController } from './grids-api.controller';
import { GridsRepository } from './grids.repository';
import { GridsService } from './grids.service';
import { JsonBodyMiddleware } from './json-body.middleware';

@Module({
  controllers: [GridsApiController],
  providers: [GridIds, GridCache, GridsRepository, GridsService, GridPostPipe],
  exports: [GridIds, GridsRepository, GridsService],
})
export class GridsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonBodyMiddleware).forRoutes({ path: 'post', method: RequestMethod.POST });
  }
}
