import { createHash } from 'node:crypto';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { GridLimits } from '../config/app-config';
import { codeSectionHtml } from './grid-code';
import type { GridData } from '../grid-storage/grid-data';
import { renderGridPng } from './grid-image';
import { checkGridPost, FieldError, GridPost } from '../grid-api/grid-post.pipe';
import { drawnBlockCount, gridTableHtml } from './grid-table';
import { parseJsonBody } from '../grid-api/json-body.middleware';

/**
 * The grid work that costs tens to hundreds of milliseconds of CPU for big grids (parsing their
 * JSON, drawing tables and pictures, highlighting code, checking big posts), run on a worker
 * thread so that the thread serving requests never stalls behind it. Everything here is pure:
 * data in, bytes out.
 */

/** Grids with more blocks than this are shown as a picture on their page: see README. */
export const PAGE_TABLE_MAX_BLOCKS = 40_000;

export type GridTask =
  | { kind: 'page'; gridJson: string; tableId: string; codeCells: unknown; codeScript: string }
  | { kind: 'png'; gridJson: string }
  | { kind: 'post'; body: Uint8Array; limits: GridLimits };

export interface PageParts {
  /** The library's table markup as UTF-8, or null when the grid is too big for a table. */
  table: Uint8Array | null;
  /** SHA-1 of the table and the code section (page ETags are made from them, not the bytes). */
  digest: string;
  /** `width` and `height` as stored (imported rows may hold odd values). */
  width: unknown;
  height: unknown;
  /** Blocks the grid holds (rows times their lengths, whatever width and height say). */
  blocks: number;
  /** The page's code section as UTF-8 (views/partials/code-cells.hbs), or null: no code cells. */
  code: Uint8Array | null;
}

export type CheckedPost =
  | { post: GridPost }
  | { errors: FieldError[] }
  /** The body was not a JSON document at all (empty, not UTF-8, not JSON, too deep). */
  | { unreadable: string };

export type GridTaskResult<T extends GridTask> = T extends { kind: 'page' }
  ? PageParts
  : T extends { kind: 'png' }
    ? Uint8Array
    : CheckedPost;

/** A stored grid_data as an object: old rows may hold anything, and every renderer copes. */
function parseGrid(json: string): GridData {
  const value = JSON.parse(json) as unknown;
  return (typeof value === 'object' && value !== null ? value : {}) as GridData;
}

function page(task: Extract<GridTask, { kind: 'page' }>): unknown {
  const grid = parseGrid(task.gridJson);
  const blocks = drawnBlockCount(grid);
  const table =
    blocks <= PAGE_TABLE_MAX_BLOCKS ? ownBytes(gridTableHtml(grid, task.tableId)) : null;
  const code = codeSectionHtml(task.codeCells, task.codeScript);
  const codeBytes = code === null ? null : ownBytes(code);
  const digest = createHash('sha1');
  for (const part of [table, codeBytes]) digest.update(part ?? '-');
  const parts: PageParts = {
    table,
    digest: digest.digest('base64url'),
    width: grid.width,
    height: grid.height,
    blocks,
    code: codeBytes,
  };
  // Handed over, not copied: megabytes the serving thread would otherwise allocate again.
  const moved = [table, codeBytes].filter((b) => b !== null).map((b) => b.buffer);
  return move({ [transferableSymbol]: moved, [valueSymbol]: parts });
}

/** `text` as UTF-8 in an ArrayBuffer of its own (Buffer.from pools small ones), to hand over. */
function ownBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.byteLength(text, 'utf8'));
  Buffer.from(bytes.buffer).write(text, 'utf8');
  return bytes;
}

async function png(task: Extract<GridTask, { kind: 'png' }>): Promise<Uint8Array> {
  return (await renderGridPng(parseGrid(task.gridJson))).png;
}

async function post(task: Extract<GridTask, { kind: 'post' }>): Promise<CheckedPost> {
  let body: unknown;
  try {
    body = parseJsonBody(Buffer.from(task.body.buffer, task.body.byteOffset, task.body.length));
  } catch (err) {
    return { unreadable: (err as Error).message };
  }
  return checkGridPost(body, task.limits);
}

export default async function runGridTask(task: GridTask): Promise<unknown> {
  switch (task.kind) {
    case 'page':
      return page(task);
    case 'png':
      return png(task);
    case 'post':
      return post(task);
  }
}
