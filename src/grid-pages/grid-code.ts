import hljs from 'highlight.js/lib/core';
import python from 'highlight.js/lib/languages/python';
import hbs from 'hbs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWS_DIR } from '../common/paths';

hljs.registerLanguage('python', python);

/**
 * What one page shows of a grid's code cells, in all and of one cell. Posts are held to
 * MAX_CODE_CHARS / MAX_CODE_CELL_CHARS; these bound pages whatever is stored (imported rows, or
 * limits raised later), so that no page costs more than ~200 ms of highlighting or ~2 MB of HTML.
 */
export const PAGE_CODE_MAX_CHARS = 100_000;
export const PAGE_CELL_MAX_CHARS = 20_000;

export interface CodeCellView {
  /** Its place among the cells, from 1: its name for screen readers, "Code cell 2". */
  number: number;
  /** The shown part, highlighted as Python; highlight.js escapes every character. */
  html: string;
  /** Characters of the cell left out of the page. */
  hiddenChars: number;
}

export interface CodeView {
  cells: CodeCellView[];
  /** Whole cells left out of the page once its budget is spent. */
  hiddenCells: number;
}

/** The first `max` UTF-16 units of `text`, never cutting a surrogate pair in two. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** The code cells as a page shows them: highlighted, within the page's budget. */
export function codeView(codeCells: unknown): CodeView {
  const cells: CodeCellView[] = [];
  if (!Array.isArray(codeCells)) return { cells, hiddenCells: 0 };
  let budget = PAGE_CODE_MAX_CHARS;
  for (const cell of codeCells as unknown[]) {
    if (budget <= 0) break;
    const code = typeof cell === 'string' ? cell : (JSON.stringify(cell) ?? '');
    const shown = cut(code, Math.min(budget, PAGE_CELL_MAX_CHARS));
    budget -= shown.length;
    cells.push({
      number: cells.length + 1,
      html: hljs.highlight(shown, { language: 'python', ignoreIllegals: true }).value,
      hiddenChars: code.length - shown.length,
    });
  }
  return { cells, hiddenCells: codeCells.length - cells.length };
}

let sectionTemplate: ((context: object) => string) | undefined;

/**
 * The page's code section (views/partials/code-cells.hbs), or null for a grid without code cells.
 * Made on the grid worker thread with the rest of the grid's markup: the highlighted code of a
 * long notebook is megabytes of strings the serving thread never has to hold.
 */
export function codeSectionHtml(codeCells: unknown, codeScriptPath: string): string | null {
  const view = codeView(codeCells);
  if (view.cells.length === 0) return null;
  sectionTemplate ??= hbs.handlebars.compile(
    readFileSync(join(VIEWS_DIR, 'partials', 'code-cells.hbs'), 'utf8'),
  );
  return sectionTemplate({ ...view, codeScript: codeScriptPath });
}

/** The code cells as one Python file, in the `# In[n]:` form Jupyter's script export uses. */
export function codeScript(codeCells: unknown[], title: string): string {
  const cells = codeCells.map(
    (cell, i) => `# In[${i + 1}]:\n\n${typeof cell === 'string' ? cell : JSON.stringify(cell)}\n`,
  );
  return `# ${title}\n\n${cells.join('\n\n')}`;
}
