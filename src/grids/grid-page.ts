import hljs from 'highlight.js/lib/core';
import python from 'highlight.js/lib/languages/python';
import type { Visibility } from './grid-data';
import type { StoredGrid } from './grids.repository';

hljs.registerLanguage('python', python);

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

/** A code cell highlighted as Python; highlight.js escapes every character of the source. */
export function highlightPython(code: string): string {
  return hljs.highlight(code, { language: 'python', ignoreIllegals: true }).value;
}

/** What views/pages/grid.hbs shows for one grid. */
export function gridPageModel(
  grid: StoredGrid,
  visibility: Visibility,
  hashId: string,
  pageUrl: string,
  tableHtml: string,
) {
  const secret = visibility === 'secret';
  const { width, height } = grid.gridData;
  const ipbClass = grid.ipbClass === 'ImageGrid' ? 'ImageGrid' : 'BlockGrid';
  const size = `${String(width)} × ${String(height)}`;
  const cells = Array.isArray(grid.codeCells)
    ? grid.codeCells.map((code) => ({ html: highlightPython(String(code)) }))
    : [];
  return {
    title: `${secret ? 'Secret grid' : 'Grid'} ${hashId}`,
    description: `A ${size} ${ipbClass} of coloured blocks made with ipythonblocks${
      cells.length
        ? `, with the ${cells.length} code cell${cells.length > 1 ? 's' : ''} that drew it`
        : ''
    }.`,
    canonicalUrl: pageUrl,
    noindex: secret,
    hashId,
    secret,
    ipbClass,
    size,
    blockCount: Number(width) * Number(height),
    tableHtml,
    codeCells: cells,
    remix: `${ipbClass}.from_web('${hashId}'${secret ? ', secret=True' : ''})`,
    posted: postedDate(grid.createdAt),
    ipbVersion: grid.ipbVersion,
    pythonVersion: pythonVersionText(grid.pythonVersion),
    // Link previews in chats and forums show the grid itself.
    og: {
      title: `${ipbClass} ${size} · ipythonblocks.org`,
      image: `${pageUrl}.png`,
      imageAlt: `A ${size} ${ipbClass} of coloured blocks`,
    },
  };
}
