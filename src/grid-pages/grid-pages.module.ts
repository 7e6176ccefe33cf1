import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { framableByAnySite } from '../common/security-headers';
import { ViewRenderer } from '../common/views';
import { WorkerPoolModule } from '../common/worker-pool';
import { GridLineageModule } from '../grid-lineage/grid-lineage.module';
import { GridStorageModule } from '../grid-storage/grid-storage.module';
import { HiddenGridsModule } from '../grid-storage/hidden-grids.module';
import { AnswerCache } from './answer-cache';
import { GridAnswers } from './grid-answers.service';
import { GridFormatsController } from './grid-formats.controller';
import { GridEmbedController } from './grid-embed.controller';
import { GridEmbeds } from './grid-embed';
import { GridPageController } from './grid-page.controller';
import { GridRemixesController } from './grid-remixes.controller';
import { RemixPages } from './remix-pages.service';
import { OembedController } from './oembed.controller';
import { GridRenderer } from './grid-renderer';
import { SiteController } from './site.controller';
import { SitePages } from './site-pages.service';

/**
 * What people see, and the renderers behind it: grid pages, pictures and code (drawn on the
 * worker threads), the site's own pages, and the cache of rendered answers. It also gives the
 * API the grid's JSON answer (GridAnswers), kept in the same cache.
 */
@Module({
  imports: [GridStorageModule, HiddenGridsModule, GridLineageModule, WorkerPoolModule],
  // Route order, stated: SiteController's fixed paths (/about, /random, /recent), then
  // GridPageController, whose `/:hashId` takes any single segment. AppModule imports this
  // module after every other that has routes. OembedController's /oembed, GridFormatsController's
  // `/:hashId.svg` and `.ipynb` and GridEmbedController's /:hashId/embed come before
  // GridPageController's catch-all, and so does GridRemixesController's /:hashId/remixes.
  controllers: [
    SiteController,
    OembedController,
    GridFormatsController,
    GridEmbedController,
    GridRemixesController,
    GridPageController,
  ],
  providers: [
    AnswerCache,
    GridAnswers,
    GridEmbeds,
    GridRenderer,
    RemixPages,
    SitePages,
    ViewRenderer,
  ],
  exports: [GridAnswers],
})
export class GridPagesModule implements NestModule {
  /** Embed pages are made to be framed by other sites; every other route refuses it. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(framableByAnySite).forRoutes(GridEmbedController);
  }
}
