import { BadRequestException, Injectable } from '@nestjs/common';
import { gridPagePath, type Origin } from '../common/public-origin';
import { ViewRenderer } from '../common/views';
import { GridLineage } from '../grid-lineage/grid-lineage.service';
import type { Visibility } from '../grid-storage/grid-data';
import { GridIds } from '../grid-storage/grid-ids';
import { GridsRepository } from '../grid-storage/grids.repository';
import { HiddenGridSet } from '../grid-storage/hidden-grid-set';
import { GridAnswers, GridGoneException, GridNotFoundException } from './grid-answers.service';
import { galleryItems, remixesPath } from './grid-page-model';
import { type PageAnswer, RenderedPage } from './page-answer';

/**
 * `/<id>/remixes`: every public remix of a grid, newest first, a page at a time, paged as
 * `/recent` is (`?before=<hashId>`, keyset: the thousandth page costs what the first does). A
 * grid's own page lists its newest remixes and links here for the rest. Read for each request.
 */
@Injectable()
export class RemixPages {
  constructor(
    private readonly answers: GridAnswers,
    private readonly grids: GridsRepository,
    private readonly ids: GridIds,
    private readonly hidden: HiddenGridSet,
    private readonly lineage: GridLineage,
    private readonly views: ViewRenderer,
  ) {}

  async page(
    visibility: Visibility,
    hashId: string,
    before: unknown,
    origin: Origin,
  ): Promise<PageAnswer> {
    // A 404 or a 410 like every other route of the grid.
    const id = this.answers.visibleId(visibility, hashId);
    if (!(await this.grids.exists(visibility, id))) {
      throw new GridNotFoundException(visibility, hashId);
    }
    if (await this.hidden.isHiddenInStore(visibility, id)) {
      throw new GridGoneException(visibility, hashId);
    }
    let beforeId: number | null = null;
    if (before !== undefined) {
      if (typeof before !== 'string') {
        throw new BadRequestException('before must be one grid id, the last remix of a page');
      }
      beforeId = this.ids.decode('public', before);
      if (beforeId === null) throw new GridNotFoundException('public', before);
    }
    const { remixes, next } = await this.lineage.remixes(visibility, id, beforeId);
    const path = remixesPath(visibility, hashId, before);
    const grid = `${visibility === 'secret' ? 'secret grid' : 'grid'} ${hashId}`;
    const html = await this.views.render('pages/remixes', {
      title: `${before === undefined ? 'Remixes' : 'Older remixes'} of ${grid}`,
      description: `Public grids remixed from ${grid}, newest first.`,
      canonicalUrl: `${origin.url}${path}`,
      noindex: visibility === 'secret',
      secret: visibility === 'secret',
      hashId,
      gridPath: gridPagePath(visibility, hashId),
      first: before === undefined,
      grids: galleryItems(remixes),
      newest: remixesPath(visibility, hashId),
      next: next ? remixesPath(visibility, hashId, next) : undefined,
    });
    return new RenderedPage(html);
  }
}
