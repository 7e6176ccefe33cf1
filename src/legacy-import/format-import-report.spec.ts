import { idRanges } from './format-import-report';

describe('idRanges', () => {
  it('compresses runs of consecutive ids to ranges', () => {
    expect(idRanges([])).toBe('');
    expect(idRanges([7])).toBe('7');
    expect(idRanges([1, 2, 3, 7])).toBe('1-3, 7');
    expect(idRanges([1, 3, 4, 6, 7, 8, 10])).toBe('1, 3-4, 6-8, 10');
  });

  it('prints 200,000 ids in one range as one range', () => {
    const ids = Array.from({ length: 200_000 }, (_, i) => i + 1);
    expect(idRanges(ids)).toBe('1-200000');
  });
});
