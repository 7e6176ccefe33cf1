import sharp from 'sharp';
import type { Block } from '../grid-storage/grid-data';
import type { GridDrawing } from '../grid-storage/stored-grid';
import { bounds, type Bounds, cellSizes, fit, type GridImageOptions } from './grid-image-layout';

export { GRID_IMAGE_MAX_PIXELS, GRID_IMAGE_MAX_SIDE } from './grid-image-layout';
export type { GridImageOptions } from './grid-image-layout';

// libvips' operation cache (up to 50 MB) never hits here: every grid is encoded once, then the
// answer is cached. Its thread pool: one thread per image, pictures being small.
sharp.cache(false);
sharp.concurrency(1);

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

/**
 * Byte budget: a PNG over it is drawn again with fewer pixels. Only noise gets there: a 1000x1000
 * image of 1 px random-colour blocks is 3 MB, a 500x500 grid of them at 2 px per block 1.5 MB.
 */
export const GRID_IMAGE_MAX_BYTES = 1024 * 1024;
const WHITE = 255;

/** A colour channel as the picture draws it (the table shows it as stored): clamped to 0..255. */
function channel(value: number): number {
  return Math.min(255, Math.max(0, value));
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
 * line between cells and around the outside. Empty rows take no space; cells missing from a
 * short row are white; `width` and `height` are not consulted.
 *
 * Past the bounds the image is shrunk by nearest neighbour (every pixel is exactly one block's
 * colour, lines stay 1 px or are dropped when blocks would be under 4 px); a small image is
 * enlarged by a whole factor up to a 64 px short side. It runs on the grid worker thread, and
 * sharp encodes on libuv's thread pool.
 */
export async function renderGridPng(
  drawing: GridDrawing,
  options?: GridImageOptions,
): Promise<GridImage> {
  let limits = bounds(options);
  const { drawn, colSizes, rowSizes } = cellSizes(drawing);

  if (drawn.length === 0) {
    const side = limits.minSide;
    const raw = Buffer.alloc(side * side * 3, WHITE);
    return { png: await encode(raw, side, side), width: side, height: side, scale: 1 };
  }

  const lines = drawing.linesOn;
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
  drawn: Block[][],
  colSizes: Int32Array,
  rowSizes: Int32Array,
  linesOn: boolean,
  limits: Bounds,
): Promise<GridImage> {
  const { xs, ys, scale } = fit(colSizes, rowSizes, linesOn, limits);
  const width = xs.total;
  const height = ys.total;

  // Columns that keep at least one pixel: when shrunk past a pixel per block most do not.
  const visible: number[] = [];
  for (let c = 0; c < colSizes.length; c++) if (xs.end[c] > xs.start[c]) visible.push(c);

  const stride = width * 3;
  const raw = Buffer.alloc(stride * height, WHITE);
  for (let r = 0; r < drawn.length; r++) {
    const count = ys.end[r] - ys.start[r];
    if (count <= 0) continue;
    const row = drawn[r];
    const offset = ys.start[r] * stride;
    for (const c of visible) {
      if (c >= row.length) break;
      const [red, green, blue] = row[c];
      const x = xs.start[c];
      fillPixels(raw, offset + x * 3, xs.end[c] - x, channel(red), channel(green), channel(blue));
    }
    repeatLine(raw, offset, stride, count);
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
