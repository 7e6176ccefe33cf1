import { describeGrid, gridName } from '../../src/grid-pages/grid-description';
import { gridDrawing } from '../../src/grid-storage/stored-grid';
import type { DisplayEvent, GridPostData, RunAnswer } from './protocol';
import { sanitizedFragment } from './sanitize';

/**
 * The output area, as a notebook cell's: printed text and displays in the order they came, then
 * the last expression's value, or the error. `clear_output(wait=True)` clears when the next
 * output arrives, so an animation swaps frames without a blank between them.
 */
export class OutputArea {
  private pendingClear = false;
  private lastText: HTMLElement | null = null;

  constructor(private readonly root: HTMLElement) {}

  clear(): void {
    this.root.replaceChildren();
    this.lastText = null;
    this.pendingClear = false;
  }

  event(event: DisplayEvent): void {
    if (event.kind === 'clear') {
      if (event.wait) this.pendingClear = true;
      else this.clear();
      return;
    }
    this.beforeOutput();
    this.root.append(displayBox(event.html, 'play-display'));
    this.lastText = null;
  }

  stdout(text: string): void {
    this.beforeOutput();
    let pre = this.lastText;
    if (!pre) {
      pre = element('pre', 'play-stdout');
      this.root.append(pre);
      this.lastText = pre;
    }
    pre.append(text);
  }

  /** The end of a run: the value of its last expression, or its error with the line and traceback. */
  finish(answer: RunAnswer): void {
    const { result, error } = answer.outcome;
    this.beforeOutput();
    this.lastText = null;
    if (result && 'html' in result) {
      this.root.append(displayBox(result.html, 'play-display play-result'));
    } else if (result) {
      this.root.append(element('pre', 'play-result', result.text));
    }
    if (error) {
      const box = element('div', 'play-error');
      const line = answer.error_line === null ? '' : ` (line ${answer.error_line})`;
      box.append(element('p', 'play-error-title', `${error.type}: ${error.message}${line}`));
      if (answer.traceback) {
        const details = element('details');
        details.append(element('summary', undefined, 'Traceback'));
        details.append(element('pre', undefined, answer.traceback));
        box.append(details);
      }
      this.root.append(box);
    }
  }

  /**
   * The grid the program showed last, in words (the grid pages' description): under the output
   * as "Describe this grid", and returned for the status line to announce.
   */
  describe(grid: GridPostData): string {
    const drawing = gridDrawing(grid.grid_data);
    const words = `${gridName(grid.ipb_class, drawing.width, drawing.height)}. ${describeGrid(drawing)}`;
    const details = element('details', 'grid-words');
    details.append(element('summary', undefined, 'Describe this grid'));
    details.append(element('p', undefined, words));
    this.root.append(details);
    return words;
  }

  /** A message from the playground itself (stopped, could not start), not from the program. */
  notice(text: string): void {
    this.lastText = null;
    this.root.append(element('p', 'play-notice', text));
  }

  private beforeOutput(): void {
    if (this.pendingClear) this.clear();
  }
}

function element(tag: string, className?: string, text?: string): HTMLElement {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * A display in a shadow root of its own: its <style> applies to it alone, as in a notebook, and
 * the page's styles do not restyle the grid.
 */
function displayBox(html: string, className: string): HTMLElement {
  const host = element('div', className);
  const shadow = host.attachShadow({ mode: 'open' });
  shadow.adoptedStyleSheets = [notebookSheet()];
  shadow.append(sanitizedFragment(html));
  return host;
}

let sheet: CSSStyleSheet | null = null;

/**
 * What a notebook's own stylesheet gives a display and the library's markup relies on: tables
 * with collapsed borders (one line between blocks), each block its own size even in a narrow box.
 */
function notebookSheet(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(
      ':host { display: block; }' +
        ' table { border-collapse: collapse; border-spacing: 0; width: max-content; }',
    );
  }
  return sheet;
}
