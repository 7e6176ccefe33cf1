import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import sharp from 'sharp';

// libvips' operation cache (up to 50 MB) never hits here: every grid is encoded once, then the
// answer is cached. Its thread pool: one thread per image, pictures being small.
sharp.cache(false);
sharp.concurrency(1);
import type { GridData } from '../grid-storage/grid-data';

/** Bounds of the PNG preview; callers may pass smaller (or larger) ones. */
export interface GridImageOptions {
  /** Most pixels (width * height) in the image. Default 1200 * 1200. */
  maxPixels?: number;
  /** Longest side in pixels. Default 1200. */
  maxSide?: number;
}

export interface GridImage {
  png: Buffer;
  width: number;
  height: number;
  /**
   * Output pixels per block pixel: 1 at natural size, a whole number above 1 when enlarged (lines
   * included), below 1 when shrunk (lines then stay 1 px, or are dropped).
   */
  scale: number;
}

export const GRID_IMAGE_MAX_SIDE = 1200;
export const GRID_IMAGE_MAX_PIXELS = 1200 * 1200;
/** Small grids are enlarged (by a whole factor) until their short side reaches this. */
export const GRID_IMAGE_MIN_SIDE = 64;
/**
 * Byte budget: a PNG over it is drawn again with fewer pixels. Only noise gets there: a 1000x1000
 * image of 1 px random-colour blocks is 3 MB, a 500x500 grid of them at 2 px per block 1.5 MB.
 */
export const GRID_IMAGE_MAX_BYTES = 1024 * 1024;

/** Size given to blocks whose size is missing, not a number, or below 1 (the page's default). */
const DEFAULT_BLOCK_SIZE = 20;
/** Larger sizes are clamped so that sums stay exact integers whatever an old row holds. */
const MAX_BLOCK_SIZE = 10_000;
/** When shrinking, the 1 px lines are kept only if blocks of the largest size stay this big. */
const MIN_CELL_WITH_LINES = 4;
/**
 * Work between two yields to the event loop: blocks read while measuring, and pixels written
 * while drawing, where reading one block's colour counts as 10 pixels (about 1-3 ms a slice).
 */
const CELLS_PER_SLICE = 20_000;
const PIXELS_PER_SLICE = 250_000;
const PIXELS_PER_CELL = 10;
/** Absorbs float error in `scale * size` so that exact products are not floored one too low. */
const EPSILON = 1e-7;
const WHITE = 255;

/** A value as stored in an old row: numbers, numeric strings, booleans; anything else is NaN. */
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

/** A colour channel as the page draws it: truncated, clamped to 0..255, 0 when not a number. */
function channel(value: unknown): number {
  const n = Math.trunc(numeric(value));
  return Number.isFinite(n) ? Math.min(255, Math.max(0, n)) : 0;
}

function blockSize(block: unknown): number {
  if (!Array.isArray(block)) return DEFAULT_BLOCK_SIZE;
  const n = Math.trunc(numeric((block as unknown[])[3]));
  return Number.isFinite(n) && n >= 1 ? Math.min(n, MAX_BLOCK_SIZE) : DEFAULT_BLOCK_SIZE;
}

/** The page's rule (grid-table.ts): lines unless `lines_on` is false or `Number()` makes it 0. */
function linesOn(grid: GridData): boolean {
  const value: unknown = grid.lines_on;
  if (value === false) return false;
  try {
    return Number(value) !== 0;
  } catch {
    return true; // a value with no number conversion (a symbol): not 0, so lines, as on the page
  }
}

/** Positions along one axis of the output: cell i covers [start[i], end[i]). */
interface Axis {
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
function axis(sizes: Int32Array, scale: number, line: number): Axis {
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

interface Bounds {
  maxSide: number;
  maxPixels: number;
  minSide: number;
}

function bounds(options: GridImageOptions | undefined): Bounds {
  const side = Math.floor(numeric(options?.maxSide));
  const maxSide = Number.isFinite(side) && side >= 1 ? side : GRID_IMAGE_MAX_SIDE;
  const pixels = Math.floor(numeric(options?.maxPixels));
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

interface Plan {
  scale: number;
  line: number;
}

function plan(cols: Int32Array, rows: Int32Array, lines: boolean, limits: Bounds): Plan {
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

/** Writes `count` pixels of one colour at byte `offset`: the first by hand, then by doubling. */
function fillPixels(
  buf: Buffer,
  offset: number,
  count: number,
  r: number,
  g: number,
  b: number,
): void {
  const bytes = count * 3;
  if (count <= 16) {
    for (let i = offset, end = offset + bytes; i < end; i += 3) {
      buf[i] = r;
      buf[i + 1] = g;
      buf[i + 2] = b;
    }
    return;
  }
  buf[offset] = r;
  buf[offset + 1] = g;
  buf[offset + 2] = b;
  for (let done = 3; done < bytes; done *= 2) {
    buf.copyWithin(offset + done, offset, offset + Math.min(done, bytes - done));
  }
}

/** Copies the first pixel line at `offset` onto the `count - 1` lines below it, by doubling. */
function repeatLine(buf: Buffer, offset: number, stride: number, count: number): void {
  for (let done = 1; done < count; done *= 2) {
    const n = Math.min(done, count - done);
    buf.copyWithin(offset + done * stride, offset, offset + n * stride);
  }
}

/**
 * The grid as a PNG for link previews, laid out like the page's table (border-collapse): rows of
 * `blocks` top to bottom, each column as wide as its largest block and each row as tall as its
 * largest block, the block's colour filling its whole cell, and when lines are on a 1 px white
 * line between cells and around the outside. Rows that are not lists, or are empty, take no
 * space; cells missing from a short row are white; `width` and `height` are not consulted.
 *
 * Past the bounds the image is shrunk by nearest neighbour (every pixel is exactly one block's
 * colour, lines stay 1 px or are dropped when blocks would be under 4 px); a small image is
 * enlarged by a whole factor up to a 64 px short side. The pixels are filled in slices between
 * yields to the event loop, and sharp encodes them on libuv's thread pool.
 */
export async function renderGridPng(
  grid: GridData,
  options?: GridImageOptions,
): Promise<GridImage> {
  let limits = bounds(options);
  const source: unknown = (grid as Partial<GridData> | null | undefined)?.blocks;
  const drawn: unknown[][] = [];
  if (Array.isArray(source)) {
    for (const row of source as unknown[]) {
      if (Array.isArray(row) && row.length > 0) drawn.push(row as unknown[]);
    }
  }
  let columns = 0;
  for (const row of drawn) columns = Math.max(columns, row.length);

  if (drawn.length === 0 || columns === 0) {
    const side = limits.minSide;
    const raw = Buffer.alloc(side * side * 3, WHITE);
    return { png: await encode(raw, side, side), width: side, height: side, scale: 1 };
  }

  const colSizes = new Int32Array(columns);
  const rowSizes = new Int32Array(drawn.length);
  let sinceYield = 0;
  for (let r = 0; r < drawn.length; r++) {
    const row = drawn[r];
    let height = 0;
    for (let c = 0; c < row.length; c++) {
      const size = blockSize(row[c]);
      if (size > height) height = size;
      if (size > colSizes[c]) colSizes[c] = size;
    }
    rowSizes[r] = height;
    sinceYield += row.length;
    if (sinceYield >= CELLS_PER_SLICE) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }

  const lines = linesOn(grid);
  let image = await draw(drawn, colSizes, rowSizes, lines, limits);
  // Noise (random colours, photos at one pixel per block) barely compresses: past the byte
  // budget, draw again with the pixel budget cut in proportion (once, rarely twice).
  for (let round = 0; round < 4 && image.png.length > GRID_IMAGE_MAX_BYTES; round++) {
    const pixels = image.width * image.height;
    if (pixels <= 1) break;
    const maxPixels = Math.max(
      1,
      Math.floor(pixels * (GRID_IMAGE_MAX_BYTES / image.png.length) * 0.9),
    );
    limits = {
      ...limits,
      maxPixels,
      minSide: Math.min(limits.minSide, Math.floor(Math.sqrt(maxPixels))),
    };
    image = await draw(drawn, colSizes, rowSizes, lines, limits);
  }
  return image;
}

/** Lays out, fills and encodes the image within `limits`. */
async function draw(
  drawn: unknown[][],
  colSizes: Int32Array,
  rowSizes: Int32Array,
  linesOn: boolean,
  limits: Bounds,
): Promise<GridImage> {
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
  const width = xs.total;
  const height = ys.total;

  // Columns that keep at least one pixel: when shrunk past a pixel per block most do not.
  const visible: number[] = [];
  for (let c = 0; c < colSizes.length; c++) if (xs.end[c] > xs.start[c]) visible.push(c);

  const stride = width * 3;
  const raw = Buffer.alloc(stride * height, WHITE);
  let sinceYield = 0;
  for (let r = 0; r < drawn.length; r++) {
    const count = ys.end[r] - ys.start[r];
    if (count <= 0) continue;
    const row = drawn[r];
    const offset = ys.start[r] * stride;
    for (const c of visible) {
      if (c >= row.length) break;
      const block = row[c];
      const rgb = Array.isArray(block) ? (block as unknown[]) : [];
      const x = xs.start[c];
      const r8 = channel(rgb[0]);
      const g8 = channel(rgb[1]);
      const b8 = channel(rgb[2]);
      fillPixels(raw, offset + x * 3, xs.end[c] - x, r8, g8, b8);
    }
    repeatLine(raw, offset, stride, count);
    sinceYield += Math.min(visible.length, row.length) * PIXELS_PER_CELL + count * width;
    if (sinceYield >= PIXELS_PER_SLICE) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }
  return { png: await encode(raw, width, height), width, height, scale };
}

/**
 * Truecolour PNG, zlib level 6 with adaptive row filters: against no filter, 10-30x smaller for
 * gradients and photos (a 1000 px ImageGrid: 816 KB -> 29 KB) and 2x for few-colour grids, 40%
 * larger for noise, 5-20 ms on the thread pool for 1 Mpx. sharp's palette mode is not used:
 * libimagequant shifts exact colours and took 150-300 ms for 1 Mpx.
 */
function encode(raw: Buffer, width: number, height: number): Promise<Buffer> {
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: true })
    .toBuffer();
}
