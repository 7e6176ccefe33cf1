import type { GridData } from '../grid-storage/grid-data';

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
 * left, as the legacy site did for every class. Big grids are drawn on the render worker (see
 * grid-render.worker.ts), never on the thread that serves requests.
 */
export function gridTableHtml(grid: GridData, tableId: string): string {
  const rows = Array.isArray(grid.blocks) ? (grid.blocks as unknown[]) : [];
  const border = grid.lines_on === false || Number(grid.lines_on) === 0 ? 0 : 1;
  let html =
    '<style type="text/css">table.blockgrid {border: none;} .blockgrid tr {border: none;} ' +
    `.blockgrid td {padding: 0px;} #blocks${tableId} td {border: ${border}px solid white;}</style>` +
    `<table id="blocks${tableId}" class="blockgrid"><tbody>`;
  for (let r = 0; r < rows.length; r++) html += row(r, rows[r]);
  return `${html}</tbody></table>`;
}

/** Blocks the table would draw: one per item of every row that is a list. */
export function drawnBlockCount(grid: GridData): number {
  const rows = Array.isArray(grid.blocks) ? (grid.blocks as unknown[]) : [];
  let n = 0;
  for (const r of rows) if (Array.isArray(r)) n += r.length;
  return n;
}
