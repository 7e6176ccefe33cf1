import { createHash } from 'node:crypto';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { gridDrawing } from '../grid-storage/stored-grid';
import { describeGrid } from './grid-description';
import { embedFrame, type EmbedFrame } from './grid-embed-layout';
import { PAGE_TABLE_MAX_BLOCKS, pageTable } from './grid-render.task';

/**
 * A grid's embed page parts and frame, drawn on the worker threads (see GridEmbeds): parsing a
 * big grid's JSON and drawing its table cost what they cost for its page.
 */
export type GridEmbedTask =
  { kind: 'embed'; gridJson: string; tableId: string } | { kind: 'frame'; gridJson: string };

export interface EmbedParts {
  /** The library's table markup as UTF-8, or null past the page's limit (the picture is shown). */
  table: Uint8Array | null;
  /** SHA-1 of the table (the embed page's ETag is made from it). */
  digest: string;
  frame: EmbedFrame;
  blocks: number;
  /** `width` and `height` as stored. */
  width: unknown;
  height: unknown;
  /** What the grid shows, in words (see grid-description.ts). */
  description: string;
}

function embed(task: Extract<GridEmbedTask, { kind: 'embed' }>): unknown {
  const drawing = gridDrawing(JSON.parse(task.gridJson));
  const table = pageTable(drawing, task.tableId);
  const parts: EmbedParts = {
    table,
    digest: createHash('sha1')
      .update(table ?? '-')
      .digest('base64url'),
    frame: embedFrame(drawing, PAGE_TABLE_MAX_BLOCKS),
    blocks: drawing.blocks,
    width: drawing.width,
    height: drawing.height,
    description: describeGrid(drawing),
  };
  // Handed over, not copied (see grid-render.task.ts).
  return move({ [transferableSymbol]: table ? [table.buffer] : [], [valueSymbol]: parts });
}

export default function runGridEmbedTask(task: GridEmbedTask): unknown {
  return task.kind === 'embed'
    ? embed(task)
    : embedFrame(gridDrawing(JSON.parse(task.gridJson)), PAGE_TABLE_MAX_BLOCKS);
}
