import type { Block } from '../grid-storage/grid-data';
import type { GridDrawing } from '../grid-storage/stored-grid';
import { axis, cellSizes, GRID_IMAGE_MIN_SIDE } from './grid-image-layout';

/**
 * Most cells an SVG draws: the most blocks a post may hold by default (MAX_BLOCKS), so every grid
 * posted under the default limits is drawn block for block. Bigger grids (imported rows, or a
 * raised MAX_BLOCKS) are drawn with bands of rows and columns merged into one cell showing the
 * band's first block, as the PNG shrinks by nearest neighbour.
 */
export const SVG_MAX_CELLS = 250_000;

export const SVG_CONTENT_TYPE = 'image/svg+xml';

/**
 * Opened on its own, an SVG is a document that could run script: this one holds none, and this
 * policy says so to the browser (no script, no loads, a sandbox of no origin).
 */
export const SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

const WHITE = 0xffffff;

/**
 * The grid as SVG, with the PNG's geometry at its natural size (one unit per block pixel): rows
 * of blocks top to bottom, each column as wide as its largest block and each row as tall as its
 * largest, and with lines on a 1 unit white line between cells and around the outside. Runs of
 * one colour in a row are one rect (lines are drawn over them), white is the background: a grid
 * of few colours is a few kilobytes whatever its size. Every attribute is a number made here, or
 * a colour made from numbers: nothing stored is written into the markup.
 */
export function gridSvg(drawing: GridDrawing): Uint8Array {
  const sizes = cellSizes(drawing);
  const out = new SvgWriter();
  if (sizes.drawn.length === 0) {
    open(out, GRID_IMAGE_MIN_SIDE, GRID_IMAGE_MIN_SIDE);
    return out.text('</svg>').bytes();
  }

  const step = bandStep(sizes.rowSizes.length, sizes.colSizes.length);
  const cols = bands(sizes.colSizes, step);
  const rows = bands(sizes.rowSizes, step);
  const line = drawing.linesOn ? 1 : 0;
  const xs = axis(cols, 1, line);
  const ys = axis(rows, 1, line);

  open(out, xs.total, ys.total);
  for (let r = 0; r < rows.length; r++) {
    const row = sizes.drawn[r * step];
    const y = ys.start[r];
    const height = ys.end[r] - y;
    out.text('<g transform="translate(0 ').int(y).text(')">');
    let c = 0;
    while (c < cols.length) {
      const colour = colourAt(row, c * step);
      let last = c;
      while (last + 1 < cols.length && colourAt(row, (last + 1) * step) === colour) last++;
      if (colour !== WHITE) {
        const x = xs.start[c];
        out
          .text('<rect x="')
          .int(x)
          .text('" width="')
          .int(xs.end[last] - x);
        out.text('" height="').int(height).text('" fill="').colour(colour).text('"/>');
      }
      c = last + 1;
    }
    out.text('</g>');
  }
  if (line && cols.length > 1) {
    // Merged runs cover the lines between their cells: the lines go back on top.
    out.text('<g fill="#ffffff">');
    for (let i = 1; i < cols.length; i++) {
      out
        .text('<rect x="')
        .int(xs.start[i] - 1)
        .text('" width="1" height="')
        .int(ys.total);
      out.text('"/>');
    }
    out.text('</g>');
  }
  return out.text('</svg>').bytes();
}

/** The root element and the white background (lines, and cells missing from short rows). */
function open(out: SvgWriter, width: number, height: number): void {
  out.text('<svg xmlns="http://www.w3.org/2000/svg" width="').int(width);
  out.text('" height="').int(height).text('" viewBox="0 0 ').int(width).text(' ').int(height);
  out.text('" shape-rendering="crispEdges"><rect width="').int(width).text('" height="');
  out.int(height).text('" fill="#ffffff"/>');
}

/** Rows and columns per band: 1 until the cells pass SVG_MAX_CELLS. */
function bandStep(rows: number, cols: number): number {
  let step = Math.max(1, Math.ceil(Math.sqrt((rows * cols) / SVG_MAX_CELLS)));
  while (Math.ceil(rows / step) * Math.ceil(cols / step) > SVG_MAX_CELLS) step++;
  return step;
}

/** Sizes of bands of `step` cells: each as long as its cells together. */
function bands(sizes: Int32Array, step: number): Int32Array {
  if (step === 1) return sizes;
  const out = new Int32Array(Math.ceil(sizes.length / step));
  for (let i = 0; i < sizes.length; i++) out[Math.floor(i / step)] += sizes[i];
  return out;
}

/** The block's colour as 0xRRGGBB, channels clamped to 0..255 as the PNG draws them; a cell
 * missing from a short row is white. */
function colourAt(row: Block[], c: number): number {
  if (c >= row.length) return WHITE;
  const [r, g, b] = row[c];
  return (channel(r) << 16) | (channel(g) << 8) | channel(b);
}

function channel(value: number): number {
  return value >= 255 ? 255 : value > 0 ? Math.trunc(value) : 0;
}

const DIGITS = '0123456789abcdef';

/**
 * ASCII markup written straight into bytes: a 500x500 grid of noise is 250,000 rects, 13 MB,
 * which as strings cost several times the time (and memory) of the bytes themselves. Only its
 * own constant fragments and numbers are ever written.
 */
class SvgWriter {
  private buf = new Uint8Array(64 * 1024);
  private length = 0;

  text(ascii: string): this {
    this.reserve(ascii.length);
    for (let i = 0; i < ascii.length; i++) this.buf[this.length++] = ascii.charCodeAt(i);
    return this;
  }

  /** A whole number in decimal. */
  int(value: number): this {
    let n = Math.trunc(value);
    this.reserve(12);
    if (n < 0) {
      this.buf[this.length++] = 0x2d;
      n = -n;
    }
    const from = this.length;
    do {
      this.buf[this.length++] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    this.buf.subarray(from, this.length).reverse();
    return this;
  }

  /** 0xRRGGBB as `#rrggbb`. */
  colour(rgb: number): this {
    this.reserve(7);
    this.buf[this.length++] = 0x23;
    for (let shift = 20; shift >= 0; shift -= 4) {
      this.buf[this.length++] = DIGITS.charCodeAt((rgb >> shift) & 15);
    }
    return this;
  }

  /** The markup, in a buffer of its own (to be handed to another thread). */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }
}
