import { HttpException, HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { gridPagePath, type Origin } from '../common/public-origin';
import { siteName } from '../common/site-name';
import { AppConfig } from '../config/app-config';
import { ViewRenderer } from '../common/views';
import type { Visibility } from '../grid-storage/grid-data';
import { GridIds } from '../grid-storage/grid-ids';
import { GridsRepository } from '../grid-storage/grids.repository';
import { HiddenGridSet } from '../grid-storage/hidden-grid-set';
import { GridLineage, type PageLineage } from '../grid-lineage/grid-lineage.service';
import { AnswerCache, gridAnswerKey } from './answer-cache';
import { codeScript } from './grid-code';
import type { PictureSize } from './grid-image-layout';
import { gridNotebook, NOTEBOOK_CONTENT_TYPE } from './grid-notebook';
import { gridPageModel, lineageModel, PAGE_MARKERS } from './grid-page-model';
import { embedOffer, GridEmbeds } from './grid-embed';
import { GridRenderer } from './grid-renderer';
import { SVG_CONTENT_TYPE } from './grid-svg';
import { splice } from './splice';
import type { AnswerBody, ImmutableAnswer } from './immutable-answer';

/** Without PUBLIC_URL: localhost, 127.0.0.1, a LAN address, a tunnel... */
const MAX_CACHED_PAGE_ORIGINS = 4;

export class GridNotFoundException extends NotFoundException {
  constructor(visibility: Visibility, hashId: string) {
    super(`No ${visibility === 'secret' ? 'secret ' : ''}grid with id ${JSON.stringify(hashId)}`);
  }
}

/** The grid exists but the operator took it down (`grid hide`): 410 on every route. */
export class GridGoneException extends HttpException {
  constructor(visibility: Visibility, hashId: string) {
    const grid = `${visibility === 'secret' ? 'secret ' : ''}grid ${JSON.stringify(hashId)}`;
    super(`The ${grid} has been taken down`, HttpStatus.GONE);
  }
}

/**
 * What a grid is served as: its JSON (for `from_web()`), its page, its picture, its code. A
 * posted grid never changes, so each answer is made once and kept (AnswerCache); its page lists
 * its lineage too, which does change, so a page is kept per version of that (GridLineage). Every
 * answer goes through `answer()`, where a hidden grid is refused: a new format gets that for free.
 */
@Injectable()
export class GridAnswers {
  /** Origins taken from requests whose pages are cached (see `pageCacheKind`). */
  private readonly pageOrigins = new Set<string>();

  constructor(
    private readonly grids: GridsRepository,
    private readonly ids: GridIds,
    private readonly cache: AnswerCache,
    private readonly renderer: GridRenderer,
    private readonly views: ViewRenderer,
    private readonly hidden: HiddenGridSet,
    private readonly config: AppConfig,
    private readonly embeds: GridEmbeds,
    private readonly lineage: GridLineage,
  ) {
    hidden.onHidden((visibility, id) => cache.dropGrid(visibility, id));
  }

  /** The stored grid_data as JSON text, what `/get` answers. */
  json(visibility: Visibility, hashId: string): Promise<ImmutableAnswer> {
    return this.answer('get', visibility, hashId, async (id) => {
      const json = await this.grids.findGridDataJson(visibility, id);
      if (json === null) return null;
      return { body: Buffer.from(json, 'utf8'), contentType: 'application/json; charset=utf-8' };
    });
  }

  /**
   * The grid's HTML page; `origin` makes its canonical link and link-preview tags. Its lineage is
   * known first (at most 1.5 s old): the page kept is made again when that changed.
   */
  async page(visibility: Visibility, hashId: string, origin: Origin): Promise<ImmutableAnswer> {
    const id = this.visibleId(visibility, hashId);
    const lineage = await this.lineage.forPage(visibility, id);
    return this.answerFor(
      this.pageCacheKind(origin),
      visibility,
      hashId,
      id,
      () => this.makePage(visibility, id, hashId, origin, lineage),
      lineage.version,
    );
  }

  private async makePage(
    visibility: Visibility,
    id: number,
    hashId: string,
    origin: Origin,
    lineage: PageLineage,
  ): Promise<AnswerBody | null> {
    const grid = await this.grids.findById(visibility, id);
    if (!grid) return null;
    const path = gridPagePath(visibility, hashId);
    const parts = await this.renderer.pageParts(grid, `-${visibility}-${hashId}`, `${path}.py`);
    // The page is rendered around markers, and the bytes the worker made go in their places:
    // a 200x200 grid's 5 MB of table, or a notebook's highlighted code, never become strings
    // on this thread.
    const html = await this.views.render('pages/grid', {
      ...gridPageModel(grid, parts, hashId, `${origin.url}${path}`, this.config.reportUrl),
      ...embedOffer(
        origin.url,
        visibility,
        hashId,
        parts.frame,
        siteName(this.config.siteName, origin.url),
      ),
      ...lineageModel(lineage, visibility, hashId),
    });
    const body = splice(html, [
      [PAGE_MARKERS.table, parts.table],
      [PAGE_MARKERS.code, parts.code],
    ]);
    // The page's bytes are its template's and the parts': a digest of the template and of the
    // parts' digests (the worker's) is as strong an ETag as one of the whole page.
    const etag = createHash('sha1').update(html).update(parts.digest).digest('base64url');
    return { body, contentType: 'text/html; charset=utf-8', etag: `"${etag}"` };
  }

  /** The grid alone, for other sites to frame (see GridEmbeds); it links to the page's origin. */
  embed(visibility: Visibility, hashId: string, origin: Origin): Promise<ImmutableAnswer> {
    const kind = this.pageCacheKind(origin, 'embed');
    return this.answer(kind, visibility, hashId, (id) =>
      this.embeds.page(visibility, id, hashId, origin),
    );
  }

  /** The size of the grid's embed frame, as JSON `{"width", "height"}` (for `/oembed`). */
  embedFrame(visibility: Visibility, hashId: string): Promise<ImmutableAnswer> {
    return this.answer('embed-frame', visibility, hashId, (id) =>
      this.embeds.frame(visibility, id),
    );
  }

  /** The grid as a PNG: its preview for link previews, or the gallery's thumbnail. */
  png(
    visibility: Visibility,
    hashId: string,
    size: PictureSize = 'full',
  ): Promise<ImmutableAnswer> {
    const kind = size === 'full' ? 'png' : `png:${size}`;
    return this.answer(kind, visibility, hashId, async (id) => {
      const json = await this.grids.findGridDataJson(visibility, id);
      if (json === null) return null;
      const png = await this.renderer.png(json, size);
      return { body: png, contentType: 'image/png', compressible: false };
    });
  }

  /** Every code cell of the grid, whole, as a Python file: pages show at most a budget of them. */
  codeScript(visibility: Visibility, hashId: string): Promise<ImmutableAnswer> {
    return this.answer('py', visibility, hashId, async (id) => {
      const cells = await this.grids.findCodeCells(visibility, id);
      if (!cells?.length) return null;
      const title = `The code cells of ${visibility === 'secret' ? 'secret ' : ''}grid ${hashId}`;
      const script = Buffer.from(codeScript(cells, title), 'utf8');
      return { body: script, contentType: 'text/plain; charset=utf-8' };
    });
  }

  /**
   * The grid's code cells (none: an empty list), for the playground to open it with; a 404 or a
   * 410 as every answer of the grid. Read afresh each time, not kept: the playground's page is
   * opened far less often than the grid's, and the cells are in the page it renders.
   */
  async codeCells(visibility: Visibility, hashId: string): Promise<string[]> {
    const answer = await this.answer(null, visibility, hashId, async (id) => {
      const cells = await this.grids.findCodeCells(visibility, id);
      if (cells === null) return null;
      return { body: Buffer.from(JSON.stringify(cells), 'utf8'), contentType: 'application/json' };
    });
    return JSON.parse((await answer.bytes()).toString('utf8')) as string[];
  }

  /** The grid as a Jupyter notebook: a link to its page, its code cells, a cell loading it. */
  notebook(visibility: Visibility, hashId: string, origin: Origin): Promise<ImmutableAnswer> {
    return this.answer(this.pageCacheKind(origin, 'ipynb'), visibility, hashId, async (id) => {
      const codeCells = await this.grids.findCodeCells(visibility, id);
      if (codeCells === null) return null;
      const pageUrl = `${origin.url}${gridPagePath(visibility, hashId)}`;
      const notebook = gridNotebook({ visibility, hashId, pageUrl, codeCells });
      return { body: Buffer.from(notebook, 'utf8'), contentType: NOTEBOOK_CONTENT_TYPE };
    });
  }

  /** The grid as SVG: vector blocks with the page's geometry, for slides and print. */
  svg(visibility: Visibility, hashId: string): Promise<ImmutableAnswer> {
    return this.answer('svg', visibility, hashId, async (id) => {
      const json = await this.grids.findGridDataJson(visibility, id);
      if (json === null) return null;
      return { body: await this.renderer.svg(json), contentType: SVG_CONTENT_TYPE };
    });
  }

  /**
   * Pages embed their origin. With PUBLIC_URL there is one, so one page per grid; without it
   * (development) the origin comes from headers any client writes, so only the first few origins
   * seen get their pages cached, and a stand-in origin never does: a stream of made-up Host
   * headers can neither fill the cache nor put its host in a page someone else is served.
   */
  private pageCacheKind(origin: Origin, kind = 'page'): string | null {
    switch (origin.source) {
      case 'configured':
        return kind;
      case 'fallback':
        return null;
      case 'request':
        if (!this.pageOrigins.has(origin.url)) {
          if (this.pageOrigins.size >= MAX_CACHED_PAGE_ORIGINS) return null;
          this.pageOrigins.add(origin.url);
        }
        return `${kind}:${origin.url}`;
    }
  }

  /**
   * The answer for a grid, kept under `kind` (null: made afresh, not kept), a 404, or a 410 for a
   * hidden grid. Whether it is hidden is known in memory, so a kept answer is served without the
   * database; one about to be made asks the database too, in case this process missed the hide.
   */
  private async answer(
    kind: string | null,
    visibility: Visibility,
    hashId: string,
    make: (id: number) => Promise<AnswerBody | null>,
  ): Promise<ImmutableAnswer> {
    // async: an unknown id is a rejected promise, as callers expect, not a throw.
    const id = this.visibleId(visibility, hashId);
    return this.answerFor(kind, visibility, hashId, id, () => make(id));
  }

  /** `answer` for the grid `id` that `hashId` names (`visibleId`), kept with `version`. */
  private async answerFor(
    kind: string | null,
    visibility: Visibility,
    hashId: string,
    id: number,
    make: () => Promise<AnswerBody | null>,
    version?: string,
  ): Promise<ImmutableAnswer> {
    const key = kind === null ? null : gridAnswerKey(visibility, id, kind);
    const answer = await this.cache.get(
      key,
      async () => {
        if (await this.hidden.isHiddenInStore(visibility, id)) {
          throw new GridGoneException(visibility, hashId);
        }
        return make();
      },
      version,
    );
    // Hidden while it was being made.
    if (this.hidden.isHidden(visibility, id)) throw new GridGoneException(visibility, hashId);
    if (answer === null) throw new GridNotFoundException(visibility, hashId);
    return answer;
  }

  /** The id `hashId` names: a 404 when none can have it, a 410 when this process knows it hidden. */
  visibleId(visibility: Visibility, hashId: string): number {
    const id = this.ids.decode(visibility, hashId);
    if (id === null) throw new GridNotFoundException(visibility, hashId);
    if (this.hidden.isHidden(visibility, id)) throw new GridGoneException(visibility, hashId);
    return id;
  }
}
