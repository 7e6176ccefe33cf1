import { BadRequestException, NotFoundException, NotImplementedException } from '@nestjs/common';
import { gridPagePath } from '../common/public-origin';
import type { Visibility } from '../grid-storage/grid-data';
import { type EmbedFrame, fitFrame } from './grid-embed-layout';
import { embedPath, embedSnippet, gridTitle } from './grid-embed';

/** What `GET /oembed` was asked (oEmbed 1.0, https://oembed.com). */
export interface OembedQuery {
  url: string;
  maxWidth?: number;
  maxHeight?: number;
}

/** A dimension nobody needs more of; bigger numbers are refused rather than carried around. */
const MAX_DIMENSION = 1_000_000;

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BadRequestException(`${name}: give it once, as text`);
  return value;
}

function dimension(query: Record<string, unknown>, name: string): number | undefined {
  const value = single(query, name);
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,7}$/.test(value) || Number(value) < 1 || Number(value) > MAX_DIMENSION) {
    throw new BadRequestException(
      `${name}: must be a whole number of pixels from 1 to ${MAX_DIMENSION}, not ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return Number(value);
}

/**
 * The query, checked: 400 naming the parameter that is wrong; `format=xml` is a 501, as the
 * spec allows a provider that serves JSON only.
 */
export function parseOembedQuery(query: Record<string, unknown>): OembedQuery {
  const format = single(query, 'format');
  if (format === 'xml') throw new NotImplementedException('format: only json is served');
  if (format !== undefined && format !== 'json' && format !== '') {
    throw new BadRequestException(`format: must be json (or xml, which is not served)`);
  }
  const url = single(query, 'url');
  if (url === undefined || url === '') {
    throw new BadRequestException('url: required, the URL of a grid page');
  }
  return { url, maxWidth: dimension(query, 'maxwidth'), maxHeight: dimension(query, 'maxheight') };
}

const GRID_PATH = /^\/(?:(secret)\/)?([A-Za-z0-9]+)\/?$/;

/**
 * The grid a URL names, when it is one of this site's grid pages (`origin` is the site's):
 * a URL that is not one is a 400, another site's URL or another page of this one a 404.
 */
export function gridOfUrl(url: string, origin: string): { visibility: Visibility; hashId: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadRequestException('url: not an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new BadRequestException('url: must be an http or https URL');
  }
  // http and https name the same page: the site answers on both.
  const match = GRID_PATH.exec(parsed.pathname);
  if (parsed.host !== new URL(origin).host || !match) {
    throw new NotFoundException(`No grid page at ${url.slice(0, 200)} on ${origin}`);
  }
  return { visibility: match[1] ? 'secret' : 'public', hashId: match[2] };
}

/** The width and height of a PNG, from its header. */
export function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/**
 * The oEmbed `rich` answer for a grid: its embed snippet (the one its page offers) shrunk to
 * maxwidth x maxheight, and its picture as the thumbnail when the picture fits them too (the
 * spec has thumbnails respect them; a picture cannot be shrunk by its size fields).
 */
export function oembedAnswer(
  grid: { visibility: Visibility; hashId: string },
  origin: string,
  query: OembedQuery,
  frame: EmbedFrame,
  thumbnail: { width: number; height: number },
  site: string,
) {
  const { visibility, hashId } = grid;
  const title = gridTitle(visibility, hashId);
  const size = fitFrame(frame, query.maxWidth, query.maxHeight);
  const thumbnailFits =
    thumbnail.width <= (query.maxWidth ?? Infinity) &&
    thumbnail.height <= (query.maxHeight ?? Infinity);
  return {
    version: '1.0',
    type: 'rich',
    title,
    provider_name: site,
    provider_url: `${origin}/`,
    html: embedSnippet(`${origin}${embedPath(visibility, hashId)}`, title, size, site),
    width: size.width,
    height: size.height,
    ...(thumbnailFits && {
      thumbnail_url: `${origin}${gridPagePath(visibility, hashId)}.png`,
      thumbnail_width: thumbnail.width,
      thumbnail_height: thumbnail.height,
    }),
    cache_age: 3600,
  };
}
