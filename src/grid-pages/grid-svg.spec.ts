import { gridDrawing } from '../grid-storage/stored-grid';
import { decode, expectPixel, gridPng, WHITE } from '../../test/support/png';
import { expectSvgGrammar, rasterize } from '../../test/support/svg';
import { axis, cellSizes } from './grid-image-layout';
import { gridSvg, SVG_MAX_CELLS } from './grid-svg';

const svgOf = (grid: unknown) => Buffer.from(gridSvg(gridDrawing(grid))).toString('utf8');

/** A deterministic pseudo-random colour channel stream. */
function noise(seed = 7) {
  return () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 24;
  };
}

/**
 * Blocks of mixed sizes and colours: white blocks, runs of one colour (columns 10 to 14, drawn as
 * one rect under the lines), a short row and an empty one.
 */
function mixedGrid(linesOn: boolean) {
  const next = noise();
  const blocks = Array.from({ length: 14 }, (_, r) =>
    r === 5
      ? []
      : Array.from({ length: r === 9 ? 7 : 16 }, (_, c) =>
          c >= 10 && c <= 14
            ? [30, 60, r * 10, 3 + c]
            : c % 4 === 1
              ? [255, 255, 255, 9]
              : [next(), c < 6 ? 40 : next(), next(), 3 + ((r + c) % 9)],
        ),
  );
  return { lines_on: linesOn, width: 16, height: 14, blocks };
}

describe('gridSvg', () => {
  it.each([true, false])(
    'draws every block in its cell with its colour, lines_on %s, as the PNG does at natural size',
    async (linesOn) => {
      const grid = mixedGrid(linesOn);
      const svg = svgOf(grid);
      expectSvgGrammar(svg);
      const image = await rasterize(svg);

      // Every block, at its cell's every corner and centre, is the block's colour.
      const drawing = gridDrawing(grid);
      const { drawn, colSizes, rowSizes } = cellSizes(drawing);
      const line = linesOn ? 1 : 0;
      const xs = axis(colSizes, 1, line);
      const ys = axis(rowSizes, 1, line);
      expect([image.width, image.height]).toEqual([xs.total, ys.total]);
      drawn.forEach((row, r) =>
        row.forEach(([red, green, blue], c) => {
          const [x0, x1, y0, y1] = [xs.start[c], xs.end[c] - 1, ys.start[r], ys.end[r] - 1];
          for (const [x, y] of [
            [x0, y0],
            [x1, y1],
            [x0, y1],
            [x1, y0],
            [(x0 + x1) >> 1, (y0 + y1) >> 1],
          ]) {
            expectPixel(image, x, y, [red, green, blue], `block ${r},${c}`);
          }
        }),
      );
      // The lines, between cells and around the outside, are white and 1 px.
      if (linesOn) {
        for (let c = 0; c <= colSizes.length; c++) {
          const x = c < colSizes.length ? xs.start[c] - 1 : xs.total - 1;
          for (let y = 0; y < ys.total; y++) expectPixel(image, x, y, WHITE, `line x=${x}`);
        }
        for (let r = 0; r <= rowSizes.length; r++) {
          const y = r < rowSizes.length ? ys.start[r] - 1 : ys.total - 1;
          for (let x = 0; x < xs.total; x++) expectPixel(image, x, y, WHITE, `line y=${y}`);
        }
      }

      // And pixel for pixel it is the PNG at scale 1 (its short side is past the 64 px minimum).
      const png = await gridPng(grid, { maxSide: 10_000, maxPixels: 1e8 });
      expect(png.scale).toBe(1);
      const drawnPng = await decode(png.png);
      expect([drawnPng.width, drawnPng.height]).toEqual([image.width, image.height]);
      for (let y = 0; y < image.height; y++) {
        for (let x = 0; x < image.width; x++) expectPixel(image, x, y, drawnPng.at(x, y), 'png');
      }
    },
  );

  it('merges runs of one colour in a row into one rect, and leaves white to the background', () => {
    const blocks = Array.from({ length: 500 }, (_, r) =>
      Array.from({ length: 500 }, (_, c) =>
        c < 250 ? [r % 2 ? 0 : 200, 10, 20, 20] : [255, 255, 255, 20],
      ),
    );
    const svg = svgOf({ lines_on: false, width: 500, height: 500, blocks });
    // The background, then one rect per row.
    expect(expectSvgGrammar(svg)).toBe(1 + 500);
    expect(svg.length).toBeLessThan(50_000);
  });

  it('keeps a 500x500 grid of noise, its worst case, within 60 bytes a block', () => {
    const next = noise();
    const blocks = Array.from({ length: 500 }, () =>
      Array.from({ length: 500 }, () => [next(), next(), next(), 20]),
    );
    for (const linesOn of [true, false]) {
      const svg = gridSvg(gridDrawing({ lines_on: linesOn, width: 500, height: 500, blocks }));
      expect(svg.length).toBeLessThan(500 * 500 * 60);
    }
  });

  it('bands rows and columns past SVG_MAX_CELLS, keeping the size and each band’s first block', async () => {
    const side = 600;
    const blocks = Array.from({ length: side }, (_, r) =>
      Array.from({ length: side }, (_, c) => [r % 256, c % 256, (r + c) % 2 ? 255 : 0, 1]),
    );
    const svg = svgOf({ lines_on: false, width: side, height: side, blocks });
    expect(expectSvgGrammar(svg)).toBeLessThanOrEqual(SVG_MAX_CELLS + 1);
    const image = await rasterize(svg);
    expect([image.width, image.height]).toEqual([side, side]);
    // Bands of 2x2 blocks, each showing its top-left block.
    for (const [r, c] of [
      [0, 0],
      [2, 4],
      [598, 598],
      [300, 17 * 2],
    ]) {
      for (const [dy, dx] of [
        [0, 0],
        [1, 1],
      ])
        expectPixel(image, c + dx, r + dy, blocks[r][c]);
    }
  });

  it('draws an empty grid as a white square', async () => {
    for (const grid of [{}, null, { blocks: [[], []] }, { blocks: 'x' }]) {
      const svg = svgOf(grid);
      expectSvgGrammar(svg);
      const image = await rasterize(svg);
      expect([image.width, image.height]).toEqual([64, 64]);
      expectPixel(image, 10, 10, WHITE);
    }
  });

  it('writes only numbers, whatever strings old rows hold where numbers belong', async () => {
    const hostile = '"/><script>alert(1)</script><rect fill="';
    const grid = {
      lines_on: hostile,
      width: hostile,
      height: '<svg onload=alert(1)>',
      [hostile]: hostile,
      blocks: [
        [
          [hostile, '12', '<g>', hostile],
          ['255', 0, 0, '7'],
          [1e308, -1e308, 3.9, 50],
        ],
        [{ 0: hostile }, [hostile], 'row', null],
        hostile,
      ],
    };
    const svg = svgOf(grid);
    expect(svg).not.toMatch(/script|onload|alert|<svg[^>]*<svg/);
    expectSvgGrammar(svg);
    const image = await rasterize(svg);
    // '255', 0, 0, '7' is a red block of 7 px; strings that are no number are 0 (black) and 20 px.
    expect(image.width).toBeGreaterThan(7);
  });
});
