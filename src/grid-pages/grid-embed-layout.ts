import type { GridDrawing } from '../grid-storage/stored-grid';
import { axis, bounds, cellSizes, fit } from './grid-image-layout';

/** The embed page's one-line caption under the grid (views/pages/grid-embed.hbs). */
export const EMBED_CAPTION_HEIGHT = 24;
/** A narrow grid's frame is still this wide, so its caption can be read. */
export const EMBED_MIN_WIDTH = 200;

/** The size, in CSS pixels, of the iframe that shows a grid's embed page whole. */
export interface EmbedFrame {
  width: number;
  height: number;
}

/**
 * The frame of a grid's embed page: the grid as its page draws it (the table up to the page's
 * limit, else the picture at the size the PNG is laid out), and the caption line below.
 *
 * The table's size is the picture's layout at scale 1: columns and rows as large as their
 * largest block, and with lines on a 1 px line between cells and around the outside. That is
 * what Firefox draws; Chromium draws rows 1 px shorter each (a cell's height takes its half
 * borders), so the frame is never too small in either.
 */
export function embedFrame(drawing: GridDrawing, tableMaxBlocks: number): EmbedFrame {
  const { colSizes, rowSizes } = cellSizes(drawing);
  let grid: EmbedFrame;
  if (colSizes.length === 0) {
    // No blocks: a table of nothing.
    grid = { width: 0, height: 0 };
  } else {
    const line = drawing.linesOn ? 1 : 0;
    if (drawing.blocks <= tableMaxBlocks) {
      grid = { width: axis(colSizes, 1, line).total, height: axis(rowSizes, 1, line).total };
    } else {
      const { xs, ys } = fit(colSizes, rowSizes, drawing.linesOn, bounds(undefined));
      grid = { width: xs.total, height: ys.total };
    }
  }
  return {
    width: Math.max(EMBED_MIN_WIDTH, grid.width),
    height: grid.height + EMBED_CAPTION_HEIGHT,
  };
}

/**
 * The frame shrunk, keeping its proportions, to fit `maxWidth` x `maxHeight` (oEmbed's
 * maxwidth/maxheight); never enlarged. A smaller frame scrolls its embed page.
 */
export function fitFrame(frame: EmbedFrame, maxWidth?: number, maxHeight?: number): EmbedFrame {
  const k = Math.min(
    1,
    maxWidth === undefined ? 1 : maxWidth / frame.width,
    maxHeight === undefined ? 1 : maxHeight / frame.height,
  );
  if (k >= 1) return frame;
  // k * side can land a hair under the bound it was divided from: floor with a tolerance.
  return {
    width: Math.max(1, Math.floor(frame.width * k + 1e-9)),
    height: Math.max(1, Math.floor(frame.height * k + 1e-9)),
  };
}
