import { DEFAULT_BLOCK_SIZE, gridDrawing, MAX_DRAWN_BLOCK_SIZE } from './stored-grid';

/** Every renderer draws from this: old rows' quirks are made sane here, once. */
describe('gridDrawing', () => {
  it('takes a posted grid as it is', () => {
    const grid = {
      lines_on: false,
      width: 2,
      height: 1,
      blocks: [
        [
          [1, 2, 3, 20],
          [4, 5, 6, 10],
        ],
      ],
    };
    expect(gridDrawing(grid)).toEqual({
      linesOn: false,
      rows: grid.blocks,
      blocks: 2,
      width: 2,
      height: 1,
    });
  });

  it.each([
    [1, true],
    [0, false],
    ['0', false],
    [null, false],
    [undefined, true],
    [true, true],
  ])('reads lines_on %p as lines %p, as the old site drew them', (linesOn, lines) => {
    expect(gridDrawing({ lines_on: linesOn, blocks: [] }).linesOn).toBe(lines);
  });

  it('makes every block four whole numbers, with a size of at least 1', () => {
    const drawing = gridDrawing({
      blocks: [[['12', 3.7, null, 'big'], [300, -5, 12.7, 0], [1, 2, 3, 1e9], 'x', [1, 2, 3]]],
    });
    expect(drawing.rows).toEqual([
      [
        [12, 3, 0, DEFAULT_BLOCK_SIZE],
        [300, -5, 12, DEFAULT_BLOCK_SIZE],
        [1, 2, 3, MAX_DRAWN_BLOCK_SIZE],
        [0, 0, 0, DEFAULT_BLOCK_SIZE],
        [1, 2, 3, DEFAULT_BLOCK_SIZE],
      ],
    ]);
  });

  it('keeps a row that is not a list as an empty row, and grid_data that is not an object as none', () => {
    expect(gridDrawing({ blocks: ['row', [[1, 1, 1, 1]]] }).rows).toEqual([[], [[1, 1, 1, 1]]]);
    expect(gridDrawing(null)).toEqual({
      linesOn: true,
      rows: [],
      blocks: 0,
      width: undefined,
      height: undefined,
    });
  });
});
