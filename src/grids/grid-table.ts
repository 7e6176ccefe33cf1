import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { GridData } from './grid-data';

/** Rows rendered between two yields to the event loop: about 10,000 cells of a wide grid. */
const CELLS_PER_SLICE = 10_000;

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
 * left, as the legacy site did for every class. Big grids yield to the event loop between
 * slices so that one 200x200 page does not stall every other request.
 */
export async function renderGridTable(grid: GridData, tableId: string): Promise<string> {
  const rows = Array.isArray(grid.blocks) ? (grid.blocks as unknown[]) : [];
  const border = grid.lines_on === false || Number(grid.lines_on) === 0 ? 0 : 1;
  let html =
    '<style type="text/css">table.blockgrid {border: none;} .blockgrid tr {border: none;} ' +
    `.blockgrid td {padding: 0px;} #blocks${tableId} td {border: ${border}px solid white;}</style>` +
    `<table id="blocks${tableId}" class="blockgrid"><tbody>`;
  let sinceYield = 0;
  for (let r = 0; r < rows.length; r++) {
    html += row(r, rows[r]);
    sinceYield += Array.isArray(rows[r]) ? (rows[r] as unknown[]).length : 1;
    if (sinceYield >= CELLS_PER_SLICE) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }
  return `${html}</tbody></table>`;
}
