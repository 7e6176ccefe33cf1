import { Module } from '@nestjs/common';
import { ViewRenderer } from '../common/views';
import { WorkerPoolModule } from '../common/worker-pool';
import { GridStorageModule } from '../grid-storage/grid-storage.module';
import { HiddenGridsModule } from '../grid-storage/hidden-grids.module';
import { AnswerCache } from './answer-cache';
import { GridAnswers } from './grid-answers.service';
import { GridFormatsController } from './grid-formats.controller';
import { GridPageController } from './grid-page.controller';
import { GridRenderer } from './grid-renderer';
import { SiteController } from './site.controller';
import { SitePages } from './site-pages.service';

/**
 * What people see, and the renderers behind it: grid pages, pictures and code (drawn on the
 * worker threads), the site's own pages, and the cache of rendered answers. It also gives the
 * API the grid's JSON answer (GridAnswers), kept in the same cache.
 */
@Module({
  imports: [GridStorageModule, HiddenGridsModule, WorkerPoolModule],
  // Route order, stated: SiteController's fixed paths (/about, /random, /recent), then
  // GridPageController, whose `/:hashId` takes any single segment. AppModule imports this
  // module after every other that has routes. GridFormatsController's `/:hashId.svg` and
  // `.ipynb` come before that catch-all.
  controllers: [SiteController, GridFormatsController, GridPageController],
  providers: [AnswerCache, GridAnswers, GridRenderer, SitePages, ViewRenderer],
  exports: [GridAnswers],
})
export class GridPagesModule {}
