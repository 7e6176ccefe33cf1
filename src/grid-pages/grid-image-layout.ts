// Where each block of a grid's picture goes: the page's border-collapse layout, enlarged by a
// whole factor or shrunk by nearest neighbour to fit the bounds (see grid-image.ts), or drawn
// as vectors (grid-svg.ts).

import type { Block } from '../grid-storage/grid-data';
import type { GridDrawing } from '../grid-storage/stored-grid';

/** Bounds of the PNG preview; callers may pass smaller (or larger) ones. */
export interface GridImageOptions {
  /** Most pixels (width * height) in the image. Default 1200 * 1200. */
  maxPixels?: number;
  /** Longest side in pixels. Default 1200. */
  maxSide?: number;
}

export const GRID_IMAGE_MAX_SIDE = 1200;
/**
 * The pictures a grid is served as: its preview, and a thumbnail drawn at the size the gallery
 * shows it (a browser shrinking the preview by a fraction drops or doubles lines irregularly).
 */
export const PICTURE_SIZES = {
  full: {},
  thumb: { maxSide: 144, maxPixels: 144 * 144 },
} satisfies Record<string, GridImageOptions>;
export type PictureSize = keyof typeof PICTURE_SIZES;
export const GRID_IMAGE_MAX_PIXELS = 1200 * 1200;
/** Small grids are enlarged (by a whole factor) until their short side reaches this. */
export const GRID_IMAGE_MIN_SIDE = 64;
/** When shrinking, the 1 px lines are kept only if blocks of the largest size stay this big. */
const MIN_CELL_WITH_LINES = 4;
/** Absorbs float error in `scale * size` so that exact products are not floored one too low. */
const EPSILON = 1e-7;

/** The rows a picture draws, and the size of each column and row of its table. */
export interface CellSizes {
  /** The rows that hold blocks, top first: empty rows take no space on the page. */
  drawn: Block[][];
  /** Each column as wide as its largest block. */
  colSizes: Int32Array;
  /** Each row as tall as its largest block. */
  rowSizes: Int32Array;
}

export function cellSizes(drawing: GridDrawing): CellSizes {
  const drawn = drawing.rows.filter((row) => row.length > 0);
  let columns = 0;
  for (const row of drawn) columns = Math.max(columns, row.length);
  const colSizes = new Int32Array(columns);
  const rowSizes = new Int32Array(drawn.length);
  for (let r = 0; r < drawn.length; r++) {
    const row = drawn[r];
    let height = 0;
    for (let c = 0; c < row.length; c++) {
      const size = row[c][3];
      if (size > height) height = size;
      if (size > colSizes[c]) colSizes[c] = size;
    }
    rowSizes[r] = height;
  }
  return { drawn, colSizes, rowSizes };
}

/** Positions along one axis of the output: cell i covers [start[i], end[i]). */
export interface Axis {
  start: Int32Array;
  end: Int32Array;
  total: number;
}

/**
 * Cell i starts after i + 1 lines of `line` px and the scaled sizes of the cells before it,
 * rounded: at scale 1 this is the page's border-collapse layout, at a whole scale it is that
 * layout enlarged, and below 1 each output pixel shows the cell under its centre (nearest
 * neighbour: pixel x, centre x + 0.5, is in cell i when k * start_i < x + 0.5 <= k * end_i).
 */
export function axis(sizes: Int32Array, scale: number, line: number): Axis {
  const n = sizes.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sizes[i];
  // A very long, thin grid can shrink to under one pixel across: keep a 1 px strip.
  const k = Math.round(scale * sum) === 0 && sum > 0 ? 1 / sum : scale;
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    start[i] = line * (i + 1) + Math.round(k * offset);
    offset += sizes[i];
    end[i] = line * (i + 1) + Math.round(k * offset);
  }
  return { start, end, total: line * (n + 1) + Math.round(k * sum) };
}

export interface Bounds {
  maxSide: number;
  maxPixels: number;
  minSide: number;
}

export function bounds(options: GridImageOptions | undefined): Bounds {
  const side = Math.floor(Number(options?.maxSide));
  const maxSide = Number.isFinite(side) && side >= 1 ? side : GRID_IMAGE_MAX_SIDE;
  const pixels = Math.floor(Number(options?.maxPixels));
  const maxPixels = Number.isFinite(pixels) && pixels >= 1 ? pixels : GRID_IMAGE_MAX_PIXELS;
  const minSide = Math.max(
    1,
    Math.min(GRID_IMAGE_MIN_SIDE, maxSide, Math.floor(Math.sqrt(maxPixels))),
  );
  return { maxSide, maxPixels, minSide };
}

/**
 * Largest scale k <= 1 with k * sw + a and k * sh + b within the bounds (a and b are the lines,
 * which do not shrink). 0 when the lines alone do not fit.
 */
function fitScale(sw: number, sh: number, a: number, b: number, limits: Bounds): number {
  const { maxSide, maxPixels } = limits;
  if (a >= maxSide || b >= maxSide || a * b >= maxPixels) return 0;
  // (k sw + a)(k sh + b) <= P  <=>  sw sh k^2 + (a sh + b sw) k + (a b - P) <= 0
  const qa = sw * sh;
  const qb = a * sh + b * sw;
  const qc = a * b - maxPixels;
  const byPixels = (-qb + Math.sqrt(qb * qb - 4 * qa * qc)) / (2 * qa);
  return Math.min(1, (maxSide - a) / sw, (maxSide - b) / sh, byPixels);
}

/** Rounds a shrinking scale down so that blocks of the largest size get a whole pixel count. */
function snap(scale: number, largest: number): number {
  const px = Math.floor(scale * largest + EPSILON);
  return px >= 1 ? px / largest : scale;
}

export interface Plan {
  scale: number;
  line: number;
}

export function plan(cols: Int32Array, rows: Int32Array, lines: boolean, limits: Bounds): Plan {
  let sw = 0;
  let sh = 0;
  let largest = 1;
  for (const s of cols) {
    sw += s;
    largest = Math.max(largest, s);
  }
  for (const s of rows) {
    sh += s;
    largest = Math.max(largest, s);
  }
  const l = lines ? 1 : 0;
  const width = sw + (cols.length + 1) * l;
  const height = sh + (rows.length + 1) * l;
  const { maxSide, maxPixels, minSide } = limits;
  if (width <= maxSide && height <= maxSide && width * height <= maxPixels) {
    const grow = Math.min(
      Math.ceil(minSide / Math.min(width, height)),
      Math.floor(maxSide / Math.max(width, height)),
      Math.floor(Math.sqrt(maxPixels / (width * height))),
    );
    const scale = Math.max(1, grow);
    return { scale, line: l * scale };
  }
  if (lines) {
    const scale = snap(fitScale(sw, sh, cols.length + 1, rows.length + 1, limits), largest);
    if (Math.floor(scale * largest + EPSILON) >= MIN_CELL_WITH_LINES) return { scale, line: 1 };
  }
  return { scale: snap(fitScale(sw, sh, 0, 0, limits), largest), line: 0 };
}

/** Where every cell of the picture goes within `limits`: the plan, then its axes. */
export function fit(
  colSizes: Int32Array,
  rowSizes: Int32Array,
  linesOn: boolean,
  limits: Bounds,
): { xs: Axis; ys: Axis; scale: number } {
  const planned = plan(colSizes, rowSizes, linesOn, limits);
  const line = planned.line;
  let scale = planned.scale;
  let xs = axis(colSizes, scale, line);
  let ys = axis(rowSizes, scale, line);
  // Float rounding, or a thin grid kept 1 px across under a tiny maxPixels, can overshoot the
  // bounds by a little: shrink a little more (a round or two) rather than hand it out.
  for (let round = 0; round < 64 && scale < 1; round++) {
    const over = Math.max(
      xs.total / limits.maxSide,
      ys.total / limits.maxSide,
      (xs.total * ys.total) / limits.maxPixels,
    );
    if (over <= 1) break;
    scale = (scale / over) * 0.999;
    xs = axis(colSizes, scale, line);
    ys = axis(rowSizes, scale, line);
  }
  return { xs, ys, scale };
}
