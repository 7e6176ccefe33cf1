import { Injectable } from '@nestjs/common';
import { gridPagePath, type Origin } from '../common/public-origin';
import { ViewRenderer } from '../common/views';
import { GridIds } from '../grid-storage/grid-ids';
import { GridsRepository } from '../grid-storage/grids.repository';
import { RandomGrids } from '../grid-storage/random-grids';
import { AnswerCache } from './answer-cache';
import { GridNotFoundException } from './grid-answers.service';
import { galleryItem } from './grid-page-model';
import { landingModel } from './landing-model';
import { type PageAnswer, Redirect, RenderedPage } from './page-answer';

const RECENT_PAGE_SIZE = 24;

/** Where the ipythonblocks library posts unless told otherwise (`ipythonblocks.ipythonblocks._POST_URL`). */
const LIBRARY_SITE = /^https?:\/\/(www\.)?ipythonblocks\.org$/;

/** The site's own pages: landing, about, the gallery of recent grids, a random grid. */
@Injectable()
export class SitePages {
  constructor(
    private readonly grids: GridsRepository,
    private readonly ids: GridIds,
    private readonly cache: AnswerCache,
    private readonly views: ViewRenderer,
    private readonly randomGrids: RandomGrids,
  ) {}

  /** Landing and about change only with a deploy: rendered once per origin, then kept. */
  async landing(origin: Origin): Promise<PageAnswer> {
    return this.kept('landing', origin, () => landingModel(origin.url));
  }

  async about(origin: Origin): Promise<PageAnswer> {
    return this.kept('about', origin, () => ({
      title: 'About',
      description: 'What ipythonblocks is, and how to share, find and remix grids.',
      canonicalUrl: `${origin.url}/about`,
      nav: 'about',
    }));
  }

  /**
   * A page of the gallery: up to a page of public grids older than the grid `before` (a hashid),
   * newest first, with the link to the next page when there is one.
   */
  async recent(before: string | undefined, origin: Origin): Promise<PageAnswer> {
    let beforeId: number | null = null;
    if (before !== undefined) {
      beforeId = this.ids.decode('public', before);
      if (beforeId === null) throw new GridNotFoundException('public', before);
    }
    const rows = await this.grids.findRecentPublic(beforeId, RECENT_PAGE_SIZE + 1);
    const grids = rows
      .slice(0, RECENT_PAGE_SIZE)
      .map((g) => galleryItem(this.ids.encode('public', g.id), g));
    const html = await this.views.render('pages/recent', {
      title: before ? 'Older grids' : 'Recent grids',
      description: 'The newest grids shared from ipythonblocks notebooks.',
      canonicalUrl: `${origin.url}/recent${before ? `?before=${before}` : ''}`,
      nav: 'recent',
      first: before === undefined,
      grids,
      next: rows.length > RECENT_PAGE_SIZE ? grids[grids.length - 1].hashId : undefined,
    });
    return new RenderedPage(html);
  }

  /** A random public grid (never a secret one), or a friendly page while there is none. */
  async random(origin: Origin): Promise<PageAnswer> {
    const id = await this.randomGrids.publicId();
    if (id !== null) return new Redirect(gridPagePath('public', this.ids.encode('public', id)));
    const html = await this.views.render('pages/random-empty', {
      title: 'No grids yet',
      description: 'Nobody has shared a public grid yet.',
      noindex: true,
      // The library posts to www.ipythonblocks.org: anywhere else, say how to post here instead.
      postUrl: LIBRARY_SITE.test(origin.url) ? null : `${origin.url}/post`,
    });
    return new RenderedPage(html);
  }

  private async kept(
    view: string,
    origin: Origin,
    model: () => Record<string, unknown>,
  ): Promise<PageAnswer> {
    // A stand-in origin (no usable Host) is rendered for its request alone.
    const key = origin.source === 'fallback' ? null : `${view}:${origin.url}`;
    const answer = await this.cache.get(key, async () => ({
      body: Buffer.from(await this.views.render(`pages/${view}`, model()), 'utf8'),
      contentType: 'text/html; charset=utf-8',
    }));
    return answer!;
  }
}
