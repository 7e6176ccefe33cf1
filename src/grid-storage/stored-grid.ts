import type { Block, IpbClass, PythonVersion, Visibility } from './grid-data';

/**
 * A stored grid as every reader gets it, posted or imported: one shape, whatever odd state an
 * old row is in. `gridDataJson` stays JSON text, as stored: a photo's grid_data is megabytes of
 * numbers, parsed (into a `GridDrawing`) only where that cannot hold up other requests.
 */
export interface StoredGrid {
  id: number;
  visibility: Visibility;
  ipbVersion: string;
  /** As posted: a list, or a string in rows from very old clients. */
  pythonVersion: PythonVersion;
  /** The cells that made it, in order; none is an empty list. */
  codeCells: string[];
  ipbClass: IpbClass;
  /** When it was posted; null for a grid imported from the legacy site, which kept no date. */
  createdAt: Date | null;
  gridDataJson: string;
}

/**
 * A grid's blocks as its page and its picture draw them. Old rows may hold `lines_on` 0/1, rows
 * that are not lists, blocks that are not 4 numbers, sizes missing or below 1: each is made
 * sane once, here.
 */
export interface GridDrawing {
  linesOn: boolean;
  /** Top row first; a row that was not a list is empty. */
  rows: Block[][];
  /** Blocks in all rows. */
  blocks: number;
  /** `width` and `height` as stored, for what is written about the grid (they may be odd). */
  width: unknown;
  height: unknown;
}

/** Size given to a block whose size is missing, not a number, or below 1 (the library's 20). */
export const DEFAULT_BLOCK_SIZE = 20;
/** Larger sizes are clamped, so that sums over a row stay exact integers. */
export const MAX_DRAWN_BLOCK_SIZE = 10_000;

/** A value as an old row may hold it: numbers, numeric strings, booleans; anything else is NaN. */
function numeric(value: unknown): number {
  switch (typeof value) {
    case 'number':
      return value;
    case 'string':
    case 'boolean':
    case 'bigint':
      return Number(value);
    default:
      return NaN;
  }
}

function whole(value: unknown, fallback: number): number {
  const n = Math.trunc(numeric(value));
  return Number.isFinite(n) ? n : fallback;
}

function block(value: unknown): Block {
  const b = Array.isArray(value) ? (value as unknown[]) : [];
  const size = whole(b[3], DEFAULT_BLOCK_SIZE);
  return [
    whole(b[0], 0),
    whole(b[1], 0),
    whole(b[2], 0),
    size >= 1 ? Math.min(size, MAX_DRAWN_BLOCK_SIZE) : DEFAULT_BLOCK_SIZE,
  ];
}

/** Lines unless `lines_on` is false or converts to 0 (old rows stored 0/1), as the old site drew. */
function linesOn(value: unknown): boolean {
  // A symbol cannot come from JSON, and has no number: not 0.
  return value !== false && (typeof value === 'symbol' || Number(value) !== 0);
}

/** The drawing of a stored grid_data (parsed JSON, whatever it holds). */
export function gridDrawing(gridData: unknown): GridDrawing {
  const grid = (typeof gridData === 'object' && gridData !== null ? gridData : {}) as Record<
    string,
    unknown
  >;
  const source = Array.isArray(grid.blocks) ? (grid.blocks as unknown[]) : [];
  let blocks = 0;
  const rows = source.map((row) => {
    if (!Array.isArray(row)) return [];
    blocks += row.length;
    return (row as unknown[]).map(block);
  });
  return { linesOn: linesOn(grid.lines_on), rows, blocks, width: grid.width, height: grid.height };
}
