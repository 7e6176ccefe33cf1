import { createHash } from 'node:crypto';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { gridDrawing, type GridDrawing } from '../grid-storage/stored-grid';
import { codeSectionHtml } from './grid-code';
import { describeGrid } from './grid-description';
import { embedFrame, type EmbedFrame } from './grid-embed-layout';
import { renderGridPng } from './grid-image';
import { PICTURE_SIZES, type PictureSize } from './grid-image-layout';
import { gridTableHtml } from './grid-table';

/**
 * The drawing that costs tens to hundreds of milliseconds of CPU for a big grid (parsing its
 * JSON, drawing its table and picture, highlighting its code), as a task for the worker threads
 * (see GridRenderer): the thread serving requests never stalls behind it. Data in, bytes out.
 */

/** Grids with more blocks than this are shown as a picture on their page: see README. */
export const PAGE_TABLE_MAX_BLOCKS = 40_000;

export type GridRenderTask =
  | { kind: 'page'; gridJson: string; tableId: string; codeCells: string[]; codeScript: string }
  | { kind: 'png'; gridJson: string; size: PictureSize };

export interface PageParts {
  /** The library's table markup as UTF-8, or null when the grid is too big for a table. */
  table: Uint8Array | null;
  /** The page's code section as UTF-8 (views/partials/code-cells.hbs), or null: no code cells. */
  code: Uint8Array | null;
  /** What the grid shows, in words (see grid-description.ts). */
  description: string;
  /** SHA-1 of the table, the code section and the description (page ETags are made from them, not the bytes). */
  digest: string;
  /** `width` and `height` as stored (imported rows may hold odd values). */
  width: unknown;
  height: unknown;
  /** Blocks the grid holds (rows times their lengths, whatever width and height say). */
  blocks: number;
  /** The size of the iframe that embeds the grid (its embed snippet). */
  frame: EmbedFrame;
}

/** The library's table as UTF-8 up to the page's limit; past it, null (the picture is shown). */
export function pageTable(drawing: GridDrawing, tableId: string): Uint8Array | null {
  return drawing.blocks <= PAGE_TABLE_MAX_BLOCKS ? ownBytes(gridTableHtml(drawing, tableId)) : null;
}

function page(task: Extract<GridRenderTask, { kind: 'page' }>): unknown {
  const drawing = gridDrawing(JSON.parse(task.gridJson));
  const table = pageTable(drawing, task.tableId);
  const codeHtml = codeSectionHtml(task.codeCells, task.codeScript);
  const code = codeHtml === null ? null : ownBytes(codeHtml);
  const digest = createHash('sha1');
  const description = describeGrid(drawing);
  for (const part of [table, code, description]) digest.update(part ?? '-');
  const parts: PageParts = {
    table,
    code,
    description,
    digest: digest.digest('base64url'),
    width: drawing.width,
    height: drawing.height,
    blocks: drawing.blocks,
    frame: embedFrame(drawing, PAGE_TABLE_MAX_BLOCKS),
  };
  // Handed over, not copied: megabytes the serving thread would otherwise allocate again.
  const moved = [table, code].filter((b) => b !== null).map((b) => b.buffer);
  return move({ [transferableSymbol]: moved, [valueSymbol]: parts });
}

/** `text` as UTF-8 in an ArrayBuffer of its own (Buffer.from pools small ones), to hand over. */
function ownBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.byteLength(text, 'utf8'));
  Buffer.from(bytes.buffer).write(text, 'utf8');
  return bytes;
}

async function png(task: Extract<GridRenderTask, { kind: 'png' }>): Promise<Uint8Array> {
  const drawing = gridDrawing(JSON.parse(task.gridJson));
  return (await renderGridPng(drawing, PICTURE_SIZES[task.size])).png;
}

export default function runGridRenderTask(task: GridRenderTask): unknown {
  return task.kind === 'page' ? page(task) : png(task);
}
