import { Injectable, NotFoundException } from '@nestjs/common';
import { ImmutableAnswer } from '../common/immutable-answer';
import { ViewRenderer } from '../common/views';
import { StorageMonitor } from '../database/storage-monitor';
import { GridCache } from './grid-cache';
import type { Visibility } from './grid-data';
import { GridIds } from './grid-ids';
import { gridPageModel } from './grid-page';
import type { GridPost } from './grid-post.pipe';
import { renderGridTableChunks } from './grid-table';
import { renderGridPng } from './grid-image';
import { GridsRepository, GridSummary } from './grids.repository';
import { gridPagePath } from './public-url';

const TABLE_MARKER = '<!--ipb:grid-table-->';

export interface RecentPage {
  grids: (GridSummary & { hashId: string })[];
  /** The `before` of the next (older) page, when there is one. */
  next?: string;
}

export interface CreatedGrid {
  visibility: Visibility;
  hashId: string;
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
    private readonly storage: StorageMonitor,
  ) {}

  async create(post: GridPost): Promise<CreatedGrid> {
    this.storage.assertRoomToWrite();
    const visibility: Visibility = post.secret ? 'secret' : 'public';
    const id = await this.grids.insert(visibility, {
      ipbVersion: post.ipbVersion,
      pythonVersion: post.pythonVersion,
      gridData: post.gridData,
      codeCells: post.codeCells,
      ipbClass: post.ipbClass,
      secret: post.secret,
    });
    this.storage.recordWriteOk();
    return { visibility, hashId: this.ids.encode(visibility, id) };
  }

  /** What `/get` answers: the stored grid_data as JSON text. */
  getGridDataJson(visibility: Visibility, hashId: string): Promise<ImmutableAnswer> {
    return this.cached('get', visibility, hashId, async (id) => {
      const json = await this.grids.findGridDataJson(visibility, id);
      return json === null ? null : ImmutableAnswer.text(json, 'application/json; charset=utf-8');
    });
  }

  /** The grid's HTML page; `origin` makes its canonical link. */
  getPage(visibility: Visibility, hashId: string, origin: string): Promise<ImmutableAnswer> {
    return this.cached(`page:${origin}`, visibility, hashId, async (id) => {
      const grid = await this.grids.findById(visibility, id);
      if (!grid) return null;
      const table = await renderGridTableChunks(grid.gridData, `-${visibility}-${hashId}`);
      const url = `${origin}${gridPagePath(visibility, hashId)}`;
      // The page is rendered around a marker, and the table's bytes go in its place: a 200x200
      // grid never becomes one 5 MB string to template and convert in one go.
      const html = await this.views.render(
        'pages/grid',
        gridPageModel(grid, visibility, hashId, url, TABLE_MARKER),
      );
      const at = html.indexOf(TABLE_MARKER);
      const body = Buffer.concat([
        Buffer.from(html.slice(0, at), 'utf8'),
        ...table,
        Buffer.from(html.slice(at + TABLE_MARKER.length), 'utf8'),
      ]);
      return new ImmutableAnswer(body, 'text/html; charset=utf-8');
    });
  }

  /** The grid as a PNG, for link previews and the gallery. */
  getPng(visibility: Visibility, hashId: string): Promise<ImmutableAnswer> {
    return this.cached('png', visibility, hashId, async (id) => {
      const grid = await this.grids.findById(visibility, id);
      if (!grid) return null;
      const { png } = await renderGridPng(grid.gridData);
      // PNG is compressed already.
      return new ImmutableAnswer(png, 'image/png', false);
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

  private async cached(
    kind: string,
    visibility: Visibility,
    hashId: string,
    make: (id: number) => Promise<ImmutableAnswer | null>,
  ): Promise<ImmutableAnswer> {
    const id = this.ids.decode(visibility, hashId);
    const answer =
      id === null ? null : await this.cache.get(`${kind}:${visibility}:${id}`, () => make(id));
    if (answer === null) throw new GridNotFoundException(visibility, hashId);
    return answer;
  }
}
