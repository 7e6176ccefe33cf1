import { aSize } from './grid-page-model';

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
