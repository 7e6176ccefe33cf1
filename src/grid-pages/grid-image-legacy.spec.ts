import { GRID_IMAGE_MAX_SIDE } from './grid-image';
import { decode, gridPng, WHITE } from '../../test/support/png';

/** What old rows hold, drawn: every odd value is normalised once (stored-grid.ts), then drawn. */
describe('renderGridPng on odd and legacy values', () => {
  const odd: unknown[] = [
    {
      lines_on: 1,
      width: '2',
      height: '1',
      blocks: [
        [
          ['255', '0', '0', '10'],
          [0, 255, 0, 10],
        ],
      ],
    },
    { lines_on: 0, width: null, height: undefined, blocks: [[[1, 2, 3]]] },
    { lines_on: '0', width: 1, height: 1, blocks: [[[300, -5, 12.7, 0]]] },
    { lines_on: null, width: 3, height: 3, blocks: [null, 'row', [null, 'x', 5, {}, []]] },
    { lines_on: true, width: 1, height: 1, blocks: [[[NaN, 'abc', null, 'abc']]] },
    { lines_on: true, width: 1, height: 1, blocks: [[[1, 2, 3, 1e308]]] },
    { lines_on: true, width: 1, height: 1, blocks: [[[1, 2, 3, Infinity]]] },
    { lines_on: true, width: 1, height: 1, blocks: [[[1, 2, 3, -4]]] },
    {
      lines_on: true,
      width: 2,
      height: 2,
      blocks: [
        [[1, 2, 3, 5]],
        [
          [4, 5, 6, 5],
          [7, 8, 9, 5],
        ],
      ],
    },
    { lines_on: true, width: 0, height: 0, blocks: [] },
    { lines_on: false, width: 2, height: 2, blocks: [[], []] },
    { lines_on: false, width: 2, height: 2, blocks: null },
    { lines_on: false, width: 2, height: 2, blocks: 'blocks' },
    { lines_on: false, width: 2, height: 2, blocks: { 0: [[1, 2, 3, 4]] } },
    { width: 1, height: 1, blocks: [[[1, 2, 3, 4]]] },
    { lines_on: Symbol('x'), blocks: [[[1, 2, 3, [5]]]] },
    {},
    null,
  ];

  it.each(odd.map((grid, i) => [i, grid]))('case %i renders a valid PNG', async (_i, grid) => {
    const image = await gridPng(grid);
    const decoded = await decode(image.png);
    expect([decoded.width, decoded.height]).toEqual([image.width, image.height]);
    expect(image.width).toBeGreaterThanOrEqual(1);
    expect(image.width).toBeLessThanOrEqual(GRID_IMAGE_MAX_SIDE);
    expect(image.height).toBeLessThanOrEqual(GRID_IMAGE_MAX_SIDE);
  });

  it('reads numbers in strings and treats lines_on 1 as on', async () => {
    const image = await gridPng(odd[0]);
    // 1 + 10 + 1 + 10 + 1 = 23 by 12, x6 to reach 64 px across the short side
    expect([image.width, image.height, image.scale]).toEqual([138, 72, 6]);
    const decoded = await decode(image.png);
    expect(decoded.at(0, 0)).toEqual(WHITE);
    expect(decoded.at(6 * 6, 6 * 6)).toEqual([255, 0, 0]);
    expect(decoded.at(6 * 17, 6 * 6)).toEqual([0, 255, 0]);
  });

  it('treats a missing or invalid size as 20 and lines_on 0 as off', async () => {
    const image = await gridPng(odd[1]);
    expect([image.width, image.height, image.scale]).toEqual([80, 80, 4]);
    const decoded = await decode(image.png);
    expect(decoded.at(0, 0)).toEqual([1, 2, 3]);
    expect(decoded.at(79, 79)).toEqual([1, 2, 3]);
  });

  it('clamps colours to 0..255, truncating fractions, and treats "0" as lines off', async () => {
    const image = await gridPng(odd[2]);
    expect([image.width, image.height]).toEqual([80, 80]); // size 0 is invalid: 20, x4
    const decoded = await decode(image.png);
    expect(decoded.at(40, 40)).toEqual([255, 0, 12]);
  });

  it('skips rows that are not lists and draws blocks that are not lists as black size 20', async () => {
    const image = await gridPng(odd[3]);
    // one row of five size-20 blocks, no lines (null counts as 0, as on the page): 100 x 20, x4
    expect([image.width, image.height, image.scale]).toEqual([400, 80, 4]);
    const decoded = await decode(image.png);
    expect(decoded.at(40, 40)).toEqual([0, 0, 0]);
    expect(decoded.at(360, 40)).toEqual([0, 0, 0]);
  });

  it('clamps huge sizes instead of overflowing, and shrinks them within bounds', async () => {
    const image = await gridPng(odd[5]);
    expect(image.width).toBeLessThanOrEqual(GRID_IMAGE_MAX_SIDE);
    const decoded = await decode(image.png);
    expect(decoded.at(image.width >> 1, image.height >> 1)).toEqual([1, 2, 3]);
  });

  it('leaves the cells missing from a short row white', async () => {
    const image = await gridPng(odd[8]);
    // 2 columns and 2 rows of 5 px with lines: 13 x 13, x5 to reach 64 px
    expect([image.width, image.height, image.scale]).toEqual([65, 65, 5]);
    const decoded = await decode(image.png);
    expect(decoded.at(5 * 3, 5 * 3)).toEqual([1, 2, 3]);
    expect(decoded.at(5 * 9, 5 * 3)).toEqual(WHITE);
    expect(decoded.at(5 * 9, 5 * 9)).toEqual([7, 8, 9]);
  });

  it('draws a grid with no blocks as a white 64 px square', async () => {
    for (const grid of [odd[9], odd[10], odd[11], odd[16], odd[17]]) {
      const image = await gridPng(grid);
      expect([image.width, image.height]).toEqual([64, 64]);
      expect((await decode(image.png)).at(32, 32)).toEqual(WHITE);
    }
  });
});
