import type { GridData } from '../grid-storage/grid-data';
import { clientPostFixtures } from '../../test/support/fixtures';
import { decode, expectPixel, gridPng, WHITE } from '../../test/support/png';

const fixtures = clientPostFixtures;

/**
 * The page's layout, written out independently of the renderer for well-formed grids: columns
 * as wide as their largest block, rows as tall as theirs, a 1 px line before every cell and
 * after the last one when lines are on. Positions are at natural size (scale 1).
 */
function pageLayout(grid: GridData) {
  const line = grid.lines_on ? 1 : 0;
  const colW: number[] = [];
  const rowH: number[] = [];
  grid.blocks.forEach((row, r) =>
    row.forEach((block, c) => {
      colW[c] = Math.max(colW[c] ?? 0, block[3]);
      rowH[r] = Math.max(rowH[r] ?? 0, block[3]);
    }),
  );
  const starts = (sizes: number[]) => {
    const out: number[] = [];
    let at = line;
    for (const s of sizes) {
      out.push(at);
      at += s + line;
    }
    return { starts: out, total: at };
  };
  const xs = starts(colW);
  const ys = starts(rowH);
  return { colW, rowH, xs: xs.starts, ys: ys.starts, width: xs.total, height: ys.total, line };
}

/** Enlargement the module documents for small images: a whole factor up to a 64 px short side. */
function expectedGrow(width: number, height: number): number {
  const short = Math.min(width, height);
  if (short >= 64) return 1;
  return Math.max(1, Math.min(Math.ceil(64 / short), Math.floor(1200 / Math.max(width, height))));
}

describe('renderGridPng', () => {
  it('has the seven client fixtures, with and without lines, mixed sizes and ImageGrids', () => {
    expect(fixtures.map((f) => f.name)).toEqual([
      'block-2x2',
      'block-1x1-secret',
      'block-7x3-nolines',
      'block-5x5-mixed-sizes',
      'image-4x3-lower-left',
      'image-3x4-upper-left-secret',
      'block-60x40',
    ]);
  });

  describe.each(fixtures.map((f) => [f.name, f] as const))('fixture %s', (_name, fixture) => {
    const grid = fixture.grid_data;
    const page = pageLayout(grid);
    const grow = expectedGrow(page.width, page.height);

    it('has the page geometry (enlarged by a whole factor when small)', async () => {
      const image = await gridPng(grid);
      expect(image.scale).toBe(grow);
      expect([image.width, image.height]).toEqual([page.width * grow, page.height * grow]);
      const decoded = await decode(image.png);
      expect([decoded.width, decoded.height]).toEqual([image.width, image.height]);
    });

    it('has each block colour at its centre and over its whole cell', async () => {
      const image = await decode((await gridPng(grid)).png);
      grid.blocks.forEach((row, r) =>
        row.forEach(([red, green, blue], c) => {
          const x0 = page.xs[c] * grow;
          const y0 = page.ys[r] * grow;
          const x1 = x0 + page.colW[c] * grow - 1;
          const y1 = y0 + page.rowH[r] * grow - 1;
          const cx = Math.floor((x0 + x1) / 2);
          const cy = Math.floor((y0 + y1) / 2);
          for (const [x, y] of [
            [cx, cy],
            [x0, y0],
            [x1, y0],
            [x0, y1],
            [x1, y1],
          ]) {
            expectPixel(image, x, y, [red, green, blue], `block [${r}, ${c}]`);
          }
        }),
      );
    });

    it('has white lines between blocks and around the outside exactly when lines_on', async () => {
      const image = await decode((await gridPng(grid)).png);
      let white = 0;
      for (let y = 0; y < image.height; y++) {
        for (let x = 0; x < image.width; x++) {
          const [red, green, blue] = image.at(x, y);
          if (red === 255 && green === 255 && blue === 255) white++;
        }
      }
      if (!grid.lines_on) {
        expect(white).toBe(0); // no fixture block is white
        return;
      }
      // Every pixel outside the cells is white, and nothing else is (no block is white here):
      // the lines are the full rows and columns of pixels between and around the cells.
      const line = grow;
      const cols = page.colW.length;
      const rows = page.rowH.length;
      const linePixels =
        (cols + 1) * line * image.height +
        (rows + 1) * line * image.width -
        (cols + 1) * (rows + 1) * line * line;
      expect(white).toBe(linePixels);
      for (let y = 0; y < image.height; y++) {
        expectPixel(image, 0, y, WHITE, 'left edge');
        expectPixel(image, image.width - 1, y, WHITE, 'right edge');
      }
      for (let x = 0; x < image.width; x++) {
        expectPixel(image, x, 0, WHITE, 'top edge');
        expectPixel(image, x, image.height - 1, WHITE, 'bottom edge');
      }
      // the line just before each cell (after the first) is white, across the middle of the row
      for (let c = 1; c < cols; c++) {
        expect(
          image.at(page.xs[c] * grow - 1, Math.floor((page.ys[0] + page.rowH[0] / 2) * grow)),
        ).toEqual(WHITE);
      }
      for (let r = 1; r < rows; r++) {
        expect(
          image.at(Math.floor((page.xs[0] + page.colW[0] / 2) * grow), page.ys[r] * grow - 1),
        ).toEqual(WHITE);
      }
    });
  });

  it('lays out mixed sizes like a border-collapse table: widest block per column, tallest per row', async () => {
    const grid = fixtures.find((f) => f.name === 'block-5x5-mixed-sizes')!.grid_data;
    // columns 20 20 40 20 20 (the 1 px block shares column 4 with 20 px ones), rows alike, 6 lines
    const image = await gridPng(grid);
    expect([image.width, image.height, image.scale]).toEqual([126, 126, 1]);
    const decoded = await decode(image.png);
    // the size-40 block at [2, 2] fills x 43..82, y 43..82; its neighbours start after a line
    expect(decoded.at(43, 43)).toEqual([168, 151, 197]);
    expect(decoded.at(82, 82)).toEqual([168, 151, 197]);
    expect(decoded.at(83, 60)).toEqual(WHITE);
    expect(decoded.at(84, 60)).toEqual([37, 38, 46]);
    // the size-1 block at [0, 4] fills its whole 20 px cell
    expect(decoded.at(84 + 21, 1)).toEqual([96, 229, 97]);
    expect(decoded.at(84 + 21 + 19, 20)).toEqual([96, 229, 97]);
  });

  it('draws the same blocks without any white when lines are off', async () => {
    const on = fixtures.find((f) => f.name === 'image-4x3-lower-left')!.grid_data;
    const off: GridData = { ...on, lines_on: false };
    const image = await gridPng(off);
    // 4 x 3 blocks of 20 px: 80 x 60, enlarged x2 to reach a 64 px short side
    expect([image.width, image.height, image.scale]).toEqual([160, 120, 2]);
    const decoded = await decode(image.png);
    off.blocks.forEach((row, r) =>
      row.forEach(([red, green, blue], c) => {
        for (const [x, y] of [
          [c * 40, r * 40],
          [c * 40 + 20, r * 40 + 20],
          [c * 40 + 39, r * 40 + 39],
        ]) {
          expect(decoded.at(x, y)).toEqual([red, green, blue]);
        }
      }),
    );
  });
});
