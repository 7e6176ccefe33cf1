import { GRID_IMAGE_MAX_BYTES, GRID_IMAGE_MAX_PIXELS, GRID_IMAGE_MAX_SIDE } from './grid-image';
import type { GridData } from '../grid-storage/grid-data';
import { decode, expectPixel, gridPng, WHITE } from '../../test/support/png';

/** Deterministic pseudo-random colours (xorshift32). */
function noise(seed: number): () => number {
  let s = seed | 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) & 255;
  };
}

function uniformGrid(width: number, height: number, size: number, linesOn: boolean): GridData {
  const next = noise(width * 31 + height);
  const blocks = Array.from({ length: height }, () =>
    Array.from(
      { length: width },
      () => [next(), next(), next(), size] as [number, number, number, number],
    ),
  );
  return { lines_on: linesOn, width, height, blocks };
}

/** Pictures of grids past the bounds, and of tiny ones: shrunk and enlarged, never broken. */
describe('renderGridPng within its bounds', () => {
  it('enlarges a 1x1 grid of size 1 to a 64 px short side with exact colours', async () => {
    const off = await gridPng({
      lines_on: false,
      width: 1,
      height: 1,
      blocks: [[[9, 99, 199, 1]]],
    });
    expect([off.width, off.height, off.scale]).toEqual([64, 64, 64]);
    const offPx = await decode(off.png);
    for (const [x, y] of [
      [0, 0],
      [32, 32],
      [63, 63],
    ]) {
      expect(offPx.at(x, y)).toEqual([9, 99, 199]);
    }

    // with lines it is 3 x 3 at natural size (line, block, line): x22, lines and all
    const on = await gridPng({
      lines_on: true,
      width: 1,
      height: 1,
      blocks: [[[9, 99, 199, 1]]],
    });
    expect([on.width, on.height, on.scale]).toEqual([66, 66, 22]);
    const onPx = await decode(on.png);
    expect(onPx.at(21, 33)).toEqual(WHITE);
    expect(onPx.at(22, 33)).toEqual([9, 99, 199]);
    expect(onPx.at(33, 33)).toEqual([9, 99, 199]);
    expect(onPx.at(43, 33)).toEqual([9, 99, 199]);
    expect(onPx.at(44, 33)).toEqual(WHITE);
  });

  it('shrinks a 400x400 grid of size-20 blocks within the bounds with exact block colours', async () => {
    const grid = uniformGrid(400, 400, 20, true);
    const image = await gridPng(grid);
    expect(image.width).toBeLessThanOrEqual(GRID_IMAGE_MAX_SIDE);
    expect(image.height).toBeLessThanOrEqual(GRID_IMAGE_MAX_SIDE);
    expect(image.width * image.height).toBeLessThanOrEqual(GRID_IMAGE_MAX_PIXELS);
    expect(image.png.length).toBeLessThanOrEqual(GRID_IMAGE_MAX_BYTES);
    // Lines would leave blocks under 4 px, so they go; blocks get a whole 3 px: 1200 x 1200.
    expect([image.width, image.height, image.scale]).toEqual([1200, 1200, 0.15]);
    const decoded = await decode(image.png);
    for (let r = 0; r < 400; r++) {
      for (let c = 0; c < 400; c++) {
        const [red, green, blue] = grid.blocks[r][c];
        expectPixel(decoded, c * 3 + 1, r * 3 + 1, [red, green, blue], `block [${r}, ${c}]`);
      }
    }
  });

  it('keeps 1 px lines when shrunk blocks stay 4 px or more', async () => {
    const grid = uniformGrid(200, 200, 20, true);
    const image = await gridPng(grid);
    // natural 4201 px; 4 px blocks and 201 lines make 1001
    expect([image.width, image.height, image.scale]).toEqual([1001, 1001, 0.2]);
    const decoded = await decode(image.png);
    for (let r = 0; r < 200; r++) {
      for (let c = 0; c < 200; c++) {
        const [red, green, blue] = grid.blocks[r][c];
        expectPixel(decoded, 1 + c * 5 + 2, 1 + r * 5 + 2, [red, green, blue], 'centre');
        expectPixel(decoded, c * 5, 1 + r * 5 + 2, WHITE, 'line on the left');
        expectPixel(decoded, 1 + c * 5 + 2, r * 5, WHITE, 'line above');
      }
    }
  });

  it('honours smaller bounds given as options', async () => {
    const grid = uniformGrid(30, 10, 20, false); // 600 x 200 natural
    const image = await gridPng(grid, { maxSide: 300 });
    expect([image.width, image.height, image.scale]).toEqual([300, 100, 0.5]);
    const byPixels = await gridPng(grid, { maxPixels: 30_000 });
    expect(byPixels.width * byPixels.height).toBeLessThanOrEqual(30_000);
    expect([byPixels.width, byPixels.height]).toEqual([300, 100]); // 0.5 snaps 20 px to 10 px
    const decoded = await decode(image.png);
    for (let r = 0; r < 10; r++) {
      for (let c = 0; c < 30; c++) {
        const [red, green, blue] = grid.blocks[r][c];
        expect(decoded.at(c * 10 + 5, r * 10 + 5)).toEqual([red, green, blue]);
      }
    }
  });

  it('draws noise with fewer pixels rather than hand out a multi-megabyte PNG', async () => {
    // 700 x 700 random 1 px blocks: 1.5 MB as a 700 x 700 PNG
    const grid = uniformGrid(700, 700, 1, false);
    const image = await gridPng(grid);
    expect(image.png.length).toBeLessThanOrEqual(GRID_IMAGE_MAX_BYTES);
    expect(image.width).toBeLessThan(700);
    expect(image.width).toBeGreaterThan(300);
    expect(image.scale).toBeCloseTo(image.width / 700, 2);
    const decoded = await decode(image.png);
    expect([decoded.width, decoded.height]).toEqual([image.width, image.height]);
    // nearest neighbour: each pixel is the block under its centre, never a blend
    const k = image.scale;
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        expectPixel(
          decoded,
          x,
          y,
          grid.blocks[Math.floor((y + 0.5) / k)][Math.floor((x + 0.5) / k)],
        );
      }
    }
  });

  it('keeps a very long, thin grid at least 1 px across', async () => {
    const grid = uniformGrid(5000, 1, 20, false); // 100000 x 20 natural
    const image = await gridPng(grid);
    expect(image.width).toBeLessThanOrEqual(GRID_IMAGE_MAX_SIDE);
    expect(image.height).toBe(1);
  });
});
