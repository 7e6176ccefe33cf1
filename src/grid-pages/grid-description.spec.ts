import { gridDrawing } from '../grid-storage/stored-grid';
import {
  aSize,
  colourName,
  COLOUR_NAMES,
  describeGrid,
  DESCRIPTION_MAX_CHARS,
  gridName,
} from './grid-description';

type Rgb = [number, number, number];

/** grid_data as the client posts it: `blocks[row][col]`, top row first. */
function grid(width: number, height: number, colour: (row: number, col: number) => Rgb) {
  return gridDrawing({
    width,
    height,
    lines_on: true,
    blocks: Array.from({ length: height }, (_, r) =>
      Array.from({ length: width }, (_, c) => [...colour(r, c), 20]),
    ),
  });
}

describe('colourName', () => {
  it('names every palette colour by its own name', () => {
    for (const [name, rgb] of COLOUR_NAMES) expect(colourName(rgb)).toBe(name);
  });

  it('names a colour by the nearest everyday name', () => {
    expect(colourName([0, 0, 130])).toBe('navy');
    expect(colourName([250, 5, 5])).toBe('red');
    expect(colourName([123, 234, 123])).toBe('light green');
    expect(colourName([250, 250, 250])).toBe('white');
  });

  it('reads odd stored channels as the page draws them (clamped, non-numbers as 0)', () => {
    expect(colourName([300, -5, 'x'])).toBe('red');
  });
});

describe('describeGrid', () => {
  it('a single block', () => {
    expect(describeGrid(grid(1, 1, () => [255, 0, 0]))).toBe('One red block.');
  });

  it('a grid of one colour', () => {
    expect(describeGrid(grid(8, 8, () => [0, 0, 130]))).toBe('All 64 blocks are navy.');
  });

  it('a checkerboard, row by row', () => {
    const text = describeGrid(grid(4, 4, (r, c) => ((r + c) % 2 ? [255, 255, 255] : [0, 0, 0])));
    expect(text).toBe(
      'Black (8 of 16 blocks) and white (8). ' +
        'Row 1: 4 alternating black and white. Row 2: 4 alternating white and black. ' +
        'Row 3: 4 alternating black and white. Row 4: 4 alternating white and black.',
    );
  });

  it('a gradient, in runs of colour', () => {
    const text = describeGrid(grid(6, 2, (r, c) => [0, 0, 51 * c]));
    expect(text).toBe(
      'Black (4 of 12 blocks), navy (4) and blue (4). Rows 1 to 2: 2 black, 2 navy, 2 blue.',
    );
  });

  it('one block in a field, the rows that read the same told once', () => {
    const text = describeGrid(grid(5, 5, (r, c) => (r === 2 && c === 2 ? [255, 0, 0] : [0, 0, 0])));
    expect(text).toBe(
      'Mostly black (24 of 25 blocks), then red (1). ' +
        'Rows 1 to 2: all black. Row 3: 2 black, 1 red, 2 black. Rows 4 to 5: all black.',
    );
  });

  it('an ImageGrid with its origin lower left: told as seen, top row first', () => {
    // The library posts an ImageGrid's rows top first whatever its origin: img[0, 0] of a
    // lower-left grid is the first block of the last row.
    const text = describeGrid(
      grid(3, 2, (r, c) => (r === 1 && c === 0 ? [255, 255, 0] : [255, 255, 255])),
    );
    expect(text).toBe(
      'Mostly white (5 of 6 blocks), then yellow (1). Row 1: all white. Row 2: 1 yellow, 2 white.',
    );
  });

  it('a big grid: the colours that cover it, its halves and its bands', () => {
    const text = describeGrid(
      grid(100, 40, (r) => (r === 12 ? [255, 0, 0] : r < 20 ? [135, 206, 235] : [0, 150, 0])),
    );
    expect(text).toBe(
      'Green (50 %), sky blue (48 %) and red (3 %). ' +
        'Top half mostly sky blue, bottom half mostly green; a red band across row 13.',
    );
  });

  it('a big grid of one colour', () => {
    expect(describeGrid(grid(200, 200, () => [255, 255, 255]))).toBe('All 40000 blocks are white.');
  });

  it('stays within its bound for the busiest small grid and the biggest grids', () => {
    const noisy = (r: number, c: number): Rgb => [
      (r * 37 + c * 91) % 256,
      (r * c * 13) % 256,
      (c * 57 + r) % 256,
    ];
    for (const [w, h] of [
      [16, 16],
      [200, 200],
      [1000, 40],
    ]) {
      const text = describeGrid(grid(w, h, noisy));
      expect(text.length).toBeGreaterThan(20);
      expect(text.length).toBeLessThanOrEqual(DESCRIPTION_MAX_CHARS);
    }
  });

  it('odd stored grids: no blocks, ragged rows', () => {
    expect(describeGrid(gridDrawing({ width: 0, height: 0, blocks: [] }))).toBe(
      'An empty grid: it holds no blocks.',
    );
    const ragged = gridDrawing({
      blocks: [
        [[0, 0, 0, 20]],
        [
          [0, 0, 0, 20],
          [255, 255, 255, 20],
        ],
      ],
    });
    expect(describeGrid(ragged)).toBe(
      'Mostly black (2 of 3 blocks), then white (1). Row 1: all black. Row 2: 1 black, 1 white.',
    );
  });
});

describe('aSize: the article a grid size takes, read aloud', () => {
  it.each([
    [3, 2, 'A 3 × 2'],
    [8, 8, 'An 8 × 8'],
    [11, 4, 'An 11 × 4'],
    [18, 18, 'An 18 × 18'],
    [80, 1, 'An 80 × 1'],
    [800, 3, 'An 800 × 3'],
    [1, 8, 'A 1 × 8'],
    [10, 10, 'A 10 × 10'],
    [110, 2, 'A 110 × 2'],
    [11000, 1, 'An 11000 × 1'],
    [100, 100, 'A 100 × 100'],
  ])('%s × %s -> %s', (width, height, expected) => {
    expect(aSize(width, height)).toBe(expected);
  });
});

describe('gridName: what the image of a grid is', () => {
  it('says its size, class and blocks, one block singular', () => {
    expect(gridName('BlockGrid', 7, 3)).toBe('A 7 × 3 BlockGrid of 21 coloured blocks');
    expect(gridName('ImageGrid', 1, 1)).toBe('A 1 × 1 ImageGrid of 1 coloured block');
  });
});
