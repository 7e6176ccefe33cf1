import { gridPagePath } from '../common/public-origin';
import type { PageLineage, RemixEntry } from '../grid-lineage/grid-lineage.service';
import type { Visibility } from '../grid-storage/grid-data';
import type { GridSummary } from '../grid-storage/grids.repository';
import { gridTitle } from './grid-embed';
import { aSize, gridName } from './grid-description';
import type { PageParts } from './grid-render.task';
import type { StoredGrid } from '../grid-storage/stored-grid';

/** `text` cut to at most `max` characters, with an ellipsis when cut. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** One stored value as text, whatever an old client put there. */
function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number'
    ? String(value)
    : JSON.stringify(value);
}

/** `sys.version_info` as a person writes it: [3, 11, 2, 'final', 0] -> "3.11.2". */
export function pythonVersionText(version: unknown): string {
  if (typeof version === 'string') return version;
  if (!Array.isArray(version)) return 'unknown';
  const [major, minor, micro, level, serial] = version as unknown[];
  const base = [major, minor, micro]
    .filter((v) => v !== undefined)
    .map(text)
    .join('.');
  if (level === undefined || level === 'final') return base;
  return serial === undefined ? `${base} ${text(level)}` : `${base} ${text(level)} ${text(serial)}`;
}

/**
 * When a grid was posted, for a `<time>` element; null for an imported grid, whose date the legacy
 * site never kept (showing the import's date instead would be wrong).
 */
export function postedDate(createdAt: Date | null): { iso: string; text: string } | null {
  if (createdAt === null) return null;
  const iso = createdAt.toISOString();
  return { iso, text: iso.slice(0, 10) };
}

/**
 * The "Report this grid" link: the operator's contact, naming the grid when it is an e-mail
 * (a subject the sender can keep); a contact form's URL as it is. None when no contact is set.
 */
export function reportHref(reportUrl: string | undefined, pageUrl: string): string | undefined {
  if (reportUrl === undefined) return undefined;
  if (!/^mailto:/i.test(reportUrl) || reportUrl.includes('?')) return reportUrl;
  return `${reportUrl}?subject=${encodeURIComponent(`Report: grid ${pageUrl}`)}`;
}

/** Where the worker's bytes go in the rendered page (see GridAnswers.page). */
export const PAGE_MARKERS = { table: '<!--ipb:grid-table-->', code: '<!--ipb:code-cells-->' };

/**
 * What views/pages/grid.hbs shows for one grid. The table and the code section are made on the
 * grid worker: the page gets PAGE_MARKERS in their places, for their bytes.
 */
export function gridPageModel(
  grid: StoredGrid,
  parts: PageParts,
  hashId: string,
  pageUrl: string,
  reportUrl?: string,
) {
  const { visibility, ipbClass } = grid;
  const secret = visibility === 'secret';
  const size = `${String(parts.width)} × ${String(parts.height)}`;
  const sizeWithArticle = aSize(parts.width, parts.height);
  const cellCount = grid.codeCells.length;
  return {
    title: gridTitle(visibility, hashId),
    description: `${sizeWithArticle} ${ipbClass} of coloured blocks made with ipythonblocks${
      cellCount ? `, with the ${cellCount} code cell${cellCount > 1 ? 's' : ''} that drew it` : ''
    }.`,
    canonicalUrl: pageUrl,
    noindex: secret,
    hashId,
    secret,
    ipbClass,
    size,
    aSize: sizeWithArticle,
    name: gridName(ipbClass, parts.width, parts.height),
    words: parts.description,
    // Too many blocks for a table: the page shows the grid's picture instead.
    tableHtml: parts.table ? PAGE_MARKERS.table : undefined,
    picture: parts.table
      ? undefined
      : { src: `${gridPagePath(visibility, hashId)}.png`, blocks: parts.blocks },
    codeSection: parts.code ? PAGE_MARKERS.code : '',
    hasCode: parts.code !== null,
    remix: `${ipbClass}.from_web('${hashId}'${secret ? ', secret=True' : ''})`,
    posted: postedDate(grid.createdAt),
    ipbVersion: grid.ipbVersion,
    pythonVersion: pythonVersionText(grid.pythonVersion),
    report: reportHref(reportUrl, pageUrl),
    // Link previews in chats and forums show the grid itself.
    og: {
      title: `${ipbClass} ${size} · ipythonblocks.org`,
      image: `${pageUrl}.png`,
      // Link previews cut alt text at 420 characters.
      imageAlt: clip(`${gridName(ipbClass, parts.width, parts.height)}. ${parts.description}`, 420),
    },
  };
}

/** A public grid as the galleries show it (/recent, a grid's remixes): a thumbnail and facts. */
export function galleryItem(hashId: string, grid: GridSummary) {
  return {
    hashId,
    ipbClass: grid.ipbClass,
    size: `${String(grid.width)} × ${String(grid.height)}`,
    aSize: aSize(grid.width, grid.height),
    posted: postedDate(grid.createdAt),
  };
}

/** Where the remixes of a grid are listed, a page at a time. */
export function remixesPath(visibility: Visibility, hashId: string, before?: string): string {
  return `${gridPagePath(visibility, hashId)}/remixes${before ? `?before=${before}` : ''}`;
}

export const galleryItems = (remixes: RemixEntry[]) =>
  remixes.map((r) => galleryItem(r.hashId, r.grid));

/**
 * What views/pages/grid.hbs shows of a grid's lineage (GridLineage says what it may show): the
 * grid it remixes, and its newest remixes with a link to the older ones. Nothing at all for a
 * grid that remixes none and has none, so such a page is what it was before remixes were kept.
 */
export function lineageModel(lineage: PageLineage, visibility: Visibility, hashId: string) {
  const { parent, remixes, more } = lineage;
  return {
    remixedFrom: parent ?? undefined,
    remixes: remixes.length
      ? {
          items: galleryItems(remixes),
          more: more
            ? remixesPath(visibility, hashId, remixes[remixes.length - 1].hashId)
            : undefined,
        }
      : undefined,
  };
}
