import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { gridPagePath, type Origin } from '../common/public-origin';
import { siteName } from '../common/site-name';
import { ViewRenderer } from '../common/views';
import { AppConfig } from '../config/app-config';
import { WorkerPool, workerTaskFile } from '../common/worker-pool';
import type { Visibility } from '../grid-storage/grid-data';
import { GridsRepository } from '../grid-storage/grids.repository';
import { gridName } from './grid-description';
import type { EmbedFrame } from './grid-embed-layout';
import type { EmbedParts, GridEmbedTask } from './grid-embed.task';
import type { AnswerBody } from './immutable-answer';
import { splice } from './splice';

const TASK = workerTaskFile(__dirname, 'grid-embed.task');
/** Where the worker's table goes in the embed page. */
const TABLE_MARKER = '<!--ipb:embed-table-->';

/** `/<id>/embed`, `/secret/<id>/embed`: the page other sites frame. */
export function embedPath(visibility: Visibility, hashId: string): string {
  return `${gridPagePath(visibility, hashId)}/embed`;
}

/** What a grid is called on its page, its embed page and in oEmbed answers. */
export function gridTitle(visibility: Visibility, hashId: string): string {
  return `${visibility === 'secret' ? 'Secret grid' : 'Grid'} ${hashId}`;
}

function attribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * The iframe that embeds a grid: what its page offers to copy and what `/oembed` answers as
 * `html` (scaled there to a consumer's maxwidth/maxheight). One function, so both stay equal.
 */
export function embedSnippet(
  embedUrl: string,
  title: string,
  frame: EmbedFrame,
  site: string,
): string {
  return (
    `<iframe src="${attribute(embedUrl)}" width="${frame.width}" height="${frame.height}" ` +
    `title="${attribute(`${title} on ${site}`)}" style="border: 0" loading="lazy">` +
    '</iframe>'
  );
}

/** The oEmbed endpoint's URL for a page: what its discovery tag names. */
export function oembedUrl(origin: string, pageUrl: string): string {
  return `${origin}/oembed?url=${encodeURIComponent(pageUrl)}&format=json`;
}

/**
 * What a grid's page adds for embedding: the "Embed" box's snippet (views/partials/embed-box.hbs)
 * and the oEmbed discovery link in its head (views/layout.hbs).
 */
export function embedOffer(
  origin: string,
  visibility: Visibility,
  hashId: string,
  frame: EmbedFrame,
  site: string,
) {
  const pageUrl = `${origin}${gridPagePath(visibility, hashId)}`;
  const embedUrl = `${origin}${embedPath(visibility, hashId)}`;
  return {
    embedSnippet: embedSnippet(embedUrl, gridTitle(visibility, hashId), frame, site),
    oembedUrl: oembedUrl(origin, pageUrl),
  };
}

/**
 * Makes what is kept of a grid for embedding (GridAnswers serves it through its one cached,
 * ETagged door): the embed page, and the frame size `/oembed` answers with.
 */
@Injectable()
export class GridEmbeds {
  constructor(
    private readonly grids: GridsRepository,
    private readonly workers: WorkerPool,
    private readonly views: ViewRenderer,
    private readonly config: AppConfig,
  ) {}

  /** The grid alone, as its page draws it, with a caption linking to its page. */
  async page(
    visibility: Visibility,
    id: number,
    hashId: string,
    origin: Origin,
  ): Promise<AnswerBody | null> {
    const grid = await this.grids.findById(visibility, id);
    if (grid === null) return null;
    const json = grid.gridDataJson;
    const task: GridEmbedTask = {
      kind: 'embed',
      gridJson: json,
      tableId: `-${visibility}-${hashId}`,
    };
    const parts = await this.workers.run<EmbedParts>(TASK, task, json.length);
    const path = gridPagePath(visibility, hashId);
    const html = await this.views.render('pages/grid-embed', {
      layout: false,
      title: gridTitle(visibility, hashId),
      name: gridName(grid.ipbClass, parts.width, parts.height),
      words: parts.description,
      pageUrl: `${origin.url}${path}`,
      siteName: siteName(this.config.siteName, origin.url),
      noindex: visibility === 'secret',
      tableHtml: parts.table ? TABLE_MARKER : undefined,
      picture: parts.table ? undefined : { src: `${path}.png`, blocks: parts.blocks },
    });
    const body = splice(html, [[TABLE_MARKER, parts.table]]);
    const etag = createHash('sha1').update(html).update(parts.digest).digest('base64url');
    return { body, contentType: 'text/html; charset=utf-8', etag: `"${etag}"` };
  }

  /** `{"width", "height"}` of the grid's frame, as JSON. */
  async frame(visibility: Visibility, id: number): Promise<AnswerBody | null> {
    const json = await this.grids.findGridDataJson(visibility, id);
    if (json === null) return null;
    const task: GridEmbedTask = { kind: 'frame', gridJson: json };
    const frame = await this.workers.run<EmbedFrame>(TASK, task, json.length);
    const body = Buffer.from(JSON.stringify({ width: frame.width, height: frame.height }));
    return { body, contentType: 'application/json; charset=utf-8' };
  }
}
