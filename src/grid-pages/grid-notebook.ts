import type { Visibility } from '../grid-storage/grid-data';

/**
 * A grid as a Jupyter notebook to hand out (`/<id>.ipynb`): a markdown cell linking back to the
 * grid's page, the posted code cells in their order, and a last cell that loads the grid itself
 * with `from_web`. nbformat 4.5, the version Jupyter writes today (cells carry ids).
 */

export const NOTEBOOK_CONTENT_TYPE = 'application/x-ipynb+json';

export interface NotebookSource {
  visibility: Visibility;
  /** Canonical (the hashids codec decoded and re-encoded it): letters and digits only. */
  hashId: string;
  /** The grid page's absolute URL. */
  pageUrl: string;
  /** As stored: strings from posts, anything in imported rows. */
  codeCells: unknown[];
}

interface Cell {
  cell_type: 'markdown' | 'code';
  id: string;
  metadata: Record<string, never>;
  source: string[];
  outputs?: [];
  execution_count?: null;
}

/** The file name a browser saves the notebook under. */
export function notebookFileName(visibility: Visibility, hashId: string): string {
  return `ipythonblocks-${visibility === 'secret' ? 'secret-' : ''}${hashId}.ipynb`;
}

/** The notebook as the JSON text Jupyter writes (one-space indent, unicode kept as is). */
export function gridNotebook(source: NotebookSource): string {
  const { visibility, hashId, pageUrl } = source;
  const secret = visibility === 'secret';
  const name = `${secret ? 'secret grid' : 'grid'} ${hashId}`;
  const cells: Cell[] = [
    markdownCell('intro', [
      `# ${markdownText(`ipythonblocks ${name}`)}`,
      '',
      `The code that drew [${markdownText(name)}](${markdownUrl(pageUrl)}) on ipythonblocks.org, ` +
        'as it was posted, then the grid itself loaded with `from_web` (run the last cell).',
    ]),
    ...source.codeCells.map((cell, i) =>
      codeCell(`posted-${i + 1}`, typeof cell === 'string' ? cell : (JSON.stringify(cell) ?? '')),
    ),
    codeCell(
      'from-web',
      [
        'from ipythonblocks import BlockGrid',
        '',
        `grid = BlockGrid.from_web('${hashId}'${secret ? ', secret=True' : ''})`,
        'grid',
      ].join('\n'),
    ),
  ];
  const notebook = {
    cells,
    metadata: {
      kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
      language_info: { name: 'python' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(notebook, null, 1)}\n`;
}

function markdownCell(id: string, lines: string[]): Cell {
  return { cell_type: 'markdown', id, metadata: {}, source: sourceLines(lines.join('\n')) };
}

function codeCell(id: string, code: string): Cell {
  return {
    cell_type: 'code',
    id,
    metadata: {},
    source: sourceLines(code),
    outputs: [],
    execution_count: null,
  };
}

/** A cell's text as Jupyter stores it: lines, each but the last ending with its newline. */
function sourceLines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

/**
 * Text that markdown shows as written: its punctuation backslash-escaped (CommonMark escapes
 * every ASCII punctuation character) and `<`/`&` as entities, so no HTML or link can form.
 */
function markdownText(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+\-.!|~>"'$]/g, '\\$&')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;');
}

/** A link destination that cannot end early or carry markup: `<`, `>`, parentheses, spaces encoded. */
function markdownUrl(url: string): string {
  return encodeURI(url).replace(/[()<>[\]'"`]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
}
