import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { GridData } from './grid-data';

/** Cells rendered between two yields to the event loop: a few milliseconds of work. */
const CELLS_PER_SLICE = 2_500;

/** A colour channel or size as stored; old imported rows may hold odd values. */
function int(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

function cell(r: number, c: number, block: unknown): string {
  const b = Array.isArray(block) ? (block as unknown[]) : [];
  const red = int(b[0], 0);
  const green = int(b[1], 0);
  const blue = int(b[2], 0);
  const size = int(b[3], 20);
  return (
    `<td title="Index: [${r}, ${c}]&#10;Color: (${red}, ${green}, ${blue})" ` +
    `style="width: ${size}px; height: ${size}px;background-color: rgb(${red}, ${green}, ${blue});"></td>`
  );
}

function row(r: number, blocks: unknown): string {
  const cells = Array.isArray(blocks) ? (blocks as unknown[]) : [];
  let html = '<tr>';
  for (let c = 0; c < cells.length; c++) html += cell(r, c, cells[c]);
  return `${html}</tr>`;
}

/**
 * The grid as the ipythonblocks library renders it in a notebook (`BlockGrid._repr_html_`), to
 * the byte: the same style block, cell titles and inline styles. Drawn row by row from the top
 * left, as the legacy site did for every class. Returned as UTF-8 slices, each made between two
 * yields to the event loop, so that a 200x200 grid (5 MB of HTML) never stalls other requests
 * for long, not even to turn one huge string into bytes.
 */
export async function renderGridTableChunks(grid: GridData, tableId: string): Promise<Buffer[]> {
  const rows = Array.isArray(grid.blocks) ? (grid.blocks as unknown[]) : [];
  const border = grid.lines_on === false || Number(grid.lines_on) === 0 ? 0 : 1;
  const chunks: Buffer[] = [];
  let html =
    '<style type="text/css">table.blockgrid {border: none;} .blockgrid tr {border: none;} ' +
    `.blockgrid td {padding: 0px;} #blocks${tableId} td {border: ${border}px solid white;}</style>` +
    `<table id="blocks${tableId}" class="blockgrid"><tbody>`;
  let sinceYield = 0;
  for (let r = 0; r < rows.length; r++) {
    html += row(r, rows[r]);
    sinceYield += Array.isArray(rows[r]) ? (rows[r] as unknown[]).length : 1;
    if (sinceYield >= CELLS_PER_SLICE) {
      chunks.push(Buffer.from(html, 'utf8'));
      html = '';
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }
  chunks.push(Buffer.from(`${html}</tbody></table>`, 'utf8'));
  return chunks;
}

/** The same table as one string, for small grids such as the landing page's. */
export async function renderGridTable(grid: GridData, tableId: string): Promise<string> {
  return Buffer.concat(await renderGridTableChunks(grid, tableId)).toString('utf8');
}
