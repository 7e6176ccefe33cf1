import { HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CommitUnconfirmedError } from '../common/database-errors';
import type { AnswerBody, ImmutableAnswer } from './immutable-answer';
import { LoggedHttpException } from '../common/logged-http-exception';
import { ViewRenderer } from '../common/views';
import { StorageMonitor } from '../database/storage-monitor';
import { GridCache } from './answer-cache';
import type { Visibility } from '../grid-storage/grid-data';
import { GridIds } from '../grid-storage/grid-ids';
import { codeScript } from './grid-code';
import { gridPageModel } from './grid-page-model';
import type { GridPost } from '../grid-api/grid-post.pipe';
import { GridWorker } from './grid-worker.service';
import { GridsRepository, GridSummary } from '../grid-storage/grids.repository';
import { gridPagePath, type Origin } from '../common/public-origin';

const PAGE_MARKERS = { table: '<!--ipb:grid-table-->', code: '<!--ipb:code-cells-->' };

/** `html` as UTF-8 with each marker that is in it replaced by its bytes, in order. */
function splice(html: string, parts: [marker: string, bytes: Uint8Array | null][]): Buffer {
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const [marker, bytes] of parts) {
    const at = bytes ? html.indexOf(marker, from) : -1;
    if (at < 0) continue;
    chunks.push(Buffer.from(html.slice(from, at), 'utf8'), bytes!);
    from = at + marker.length;
  }
  chunks.push(Buffer.from(html.slice(from), 'utf8'));
  return Buffer.concat(chunks);
}
/** Without PUBLIC_URL: localhost, 127.0.0.1, a LAN address, a tunnel... */
const MAX_CACHED_PAGE_ORIGINS = 4;

export interface RecentPage {
  grids: (GridSummary & { hashId: string })[];
  /** The `before` of the next (older) page, when there is one. */
  next?: string;
}

/**
 * The grid and its COMMIT were sent and no answer came in time: it may or may not be stored.
 * Saying "try again" could make a duplicate, so the answer says so and gives the URL the grid
 * has if it was stored, for the person to look at before posting again.
 */
export class GridMayNotBeStoredException extends LoggedHttpException {
  constructor(url: string, gridId: string, cause: unknown) {
    super(
      {
        statusCode: HttpStatus.GATEWAY_TIMEOUT,
        error: 'Gateway Timeout',
        message:
          'The database did not confirm in time that the grid was stored: it may or may not have ' +
          `been stored. Open ${url} to see, before posting it again.`,
        url,
      },
      HttpStatus.GATEWAY_TIMEOUT,
      `outcome unknown for ${gridId} (${url}): ${(cause as Error).message}`,
      { cause },
    );
  }
}

export class GridNotFoundException extends NotFoundException {
  constructor(visibility: Visibility, hashId: string) {
    super(`No ${visibility === 'secret' ? 'secret ' : ''}grid with id ${JSON.stringify(hashId)}`);
  }
}

@Injectable()
export class GridsService {
  constructor(
    private readonly grids: GridsRepository,
    private readonly ids: GridIds,
    private readonly cache: GridCache,
    private readonly views: ViewRenderer,
    private readonly worker: GridWorker,
    private readonly storage: StorageMonitor,
  ) {}

  /** Origins taken from requests whose pages are cached (see `pageCacheKind`). */
  private readonly pageOrigins = new Set<string>();

  /** Stores a post; answers the URL of its page at `origin`. */
  async create(post: GridPost, origin: string): Promise<string> {
    this.storage.assertRoomToWrite();
    const visibility: Visibility = post.secret ? 'secret' : 'public';
    const pageUrl = (id: number) =>
      `${origin}${gridPagePath(visibility, this.ids.encode(visibility, id))}`;
    try {
      const id = await this.grids.insert(visibility, {
        ipbVersion: post.ipbVersion,
        pythonVersion: post.pythonVersion,
        gridDataJson: post.gridDataJson,
        codeCells: post.codeCells,
        ipbClass: post.ipbClass,
        secret: post.secret,
      });
      this.storage.recordWriteOk();
      return pageUrl(id);
    } catch (err) {
      if (!(err instanceof CommitUnconfirmedError)) throw err;
      const id = err.result as number;
      throw new GridMayNotBeStoredException(pageUrl(id), `${visibility} grid id ${id}`, err);
    }
  }

  /** What `/get` answers: the stored grid_data as JSON text. */
  getGridDataJson(visibility: Visibility, hashId: string): Promise<ImmutableAnswer> {
    return this.cached('get', visibility, hashId, async (id) => {
      const json = await this.grids.findGridDataJson(visibility, id);
      if (json === null) return null;
      return { body: Buffer.from(json, 'utf8'), contentType: 'application/json; charset=utf-8' };
    });
  }

  /** The grid's HTML page; `origin` makes its canonical link and link-preview tags. */
  getPage(visibility: Visibility, hashId: string, origin: Origin): Promise<ImmutableAnswer> {
    return this.cached(this.pageCacheKind(origin), visibility, hashId, async (id) => {
      const grid = await this.grids.findById(visibility, id);
      if (!grid) return null;
      const path = gridPagePath(visibility, hashId);
      const parts = await this.worker.renderPage(
        grid.gridDataJson,
        `-${visibility}-${hashId}`,
        grid.codeCells,
        `${path}.py`,
      );
      // The page is rendered around markers, and the bytes the worker made go in their places:
      // a 200x200 grid's 5 MB of table, or a notebook's highlighted code, never become strings
      // on this thread.
      const html = await this.views.render(
        'pages/grid',
        gridPageModel(grid, parts, visibility, hashId, `${origin.url}${path}`, PAGE_MARKERS),
      );
      const body = splice(html, [
        [PAGE_MARKERS.table, parts.table],
        [PAGE_MARKERS.code, parts.code],
      ]);
      // The page's bytes are its template's and the parts': a digest of the template and of the
      // parts' digests (the worker's) is as strong an ETag as one of the whole page.
      const etag = createHash('sha1').update(html).update(parts.digest).digest('base64url');
      return { body, contentType: 'text/html; charset=utf-8', etag: `"${etag}"` };
    });
  }

  /** The grid as a PNG, for link previews and the gallery. */
  getPng(visibility: Visibility, hashId: string): Promise<ImmutableAnswer> {
    return this.cached('png', visibility, hashId, async (id) => {
      const json = await this.grids.findGridDataJson(visibility, id);
      if (json === null) return null;
      const png = await this.worker.renderPng(json);
      return { body: png, contentType: 'image/png', compressible: false };
    });
  }

  /** Every code cell of the grid, whole, as a Python file: pages show at most a budget of them. */
  getCodeScript(visibility: Visibility, hashId: string): Promise<ImmutableAnswer> {
    return this.cached('py', visibility, hashId, async (id) => {
      const grid = await this.grids.findById(visibility, id);
      if (!grid || !Array.isArray(grid.codeCells)) return null;
      const title = `The code cells of ${visibility === 'secret' ? 'secret ' : ''}grid ${hashId}`;
      const script = Buffer.from(codeScript(grid.codeCells, title), 'utf8');
      return { body: script, contentType: 'text/plain; charset=utf-8' };
    });
  }

  /**
   * A page of the gallery: up to `limit` public grids older than the grid `before` (a hashid),
   * and the hashid to ask for the next page with, when there is one.
   */
  async recentPublic(before: string | undefined, limit: number): Promise<RecentPage> {
    let beforeId: number | null = null;
    if (before !== undefined) {
      beforeId = this.ids.decode('public', before);
      if (beforeId === null) throw new GridNotFoundException('public', before);
    }
    const rows = await this.grids.findRecentPublic(beforeId, limit + 1);
    const grids = rows.slice(0, limit).map((row) => ({
      ...row,
      hashId: this.ids.encode('public', row.id),
    }));
    const next = rows.length > limit ? grids[grids.length - 1].hashId : undefined;
    return { grids, next };
  }

  /** The hashid of a random public grid (never a secret one), or null when there is none. */
  async randomPublicHashId(): Promise<string | null> {
    const id = await this.grids.findRandomPublicId();
    return id === null ? null : this.ids.encode('public', id);
  }

  /**
   * Pages embed their origin. With PUBLIC_URL there is one, so one page per grid; without it
   * (development) the origin comes from headers any client writes, so only the first few origins
   * seen get their pages cached, and a stand-in origin never does: a stream of made-up Host
   * headers can neither fill the cache nor put its host in a page someone else is served.
   */
  private pageCacheKind(origin: Origin): string | null {
    switch (origin.source) {
      case 'configured':
        return 'page';
      case 'fallback':
        return null;
      case 'request':
        if (!this.pageOrigins.has(origin.url)) {
          if (this.pageOrigins.size >= MAX_CACHED_PAGE_ORIGINS) return null;
          this.pageOrigins.add(origin.url);
        }
        return `page:${origin.url}`;
    }
  }

  /** The answer for a grid, from the cache under `kind` (null: made afresh, not kept). */
  private async cached(
    kind: string | null,
    visibility: Visibility,
    hashId: string,
    make: (id: number) => Promise<AnswerBody | null>,
  ): Promise<ImmutableAnswer> {
    const id = this.ids.decode(visibility, hashId);
    let answer: ImmutableAnswer | null = null;
    if (id !== null) {
      const key = kind === null ? null : `${kind}:${visibility}:${id}`;
      answer = await this.cache.get(key, () => make(id));
    }
    if (answer === null) throw new GridNotFoundException(visibility, hashId);
    return answer;
  }
}
