import type { Block } from '../grid-storage/grid-data';
import type { GridDrawing } from '../grid-storage/stored-grid';

function cell(r: number, c: number, [red, green, blue, size]: Block): string {
  return (
    `<td title="Index: [${r}, ${c}]&#10;Color: (${red}, ${green}, ${blue})" ` +
    `style="width: ${size}px; height: ${size}px;background-color: rgb(${red}, ${green}, ${blue});"></td>`
  );
}

/**
 * The grid as the ipythonblocks library renders it in a notebook (`BlockGrid._repr_html_`), to
 * the byte: the same style block, cell titles and inline styles. Drawn row by row from the top
 * left, as the legacy site did for every class. Big grids are drawn on the grid worker (see
 * grid-render.task.ts), never on the thread that serves requests.
 */
export function gridTableHtml(drawing: GridDrawing, tableId: string): string {
  const border = drawing.linesOn ? 1 : 0;
  let html =
    '<style type="text/css">table.blockgrid {border: none;} .blockgrid tr {border: none;} ' +
    `.blockgrid td {padding: 0px;} #blocks${tableId} td {border: ${border}px solid white;}</style>` +
    `<table id="blocks${tableId}" class="blockgrid"><tbody>`;
  drawing.rows.forEach((row, r) => {
    html += '<tr>';
    for (let c = 0; c < row.length; c++) html += cell(r, c, row[c]);
    html += '</tr>';
  });
  return `${html}</tbody></table>`;
}
