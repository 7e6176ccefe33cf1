import { inexactNumbers, isExactNumber } from './exact-json-numbers';

describe('numbers JavaScript would change', () => {
  it.each([
    ['0', true],
    ['-0', true],
    ['1.0', true],
    ['1E2', true],
    ['1e+21', true],
    ['0.1', true],
    ['0.30000000000000004', true],
    ['9007199254740993', false],
    ['123456789012345678901234567890123', false],
    ['1e400', false],
    ['-1e400', false],
    ['1e-400', false],
    ['1.7976931348623157e308', true],
    ['5e-324', true],
    ['123456789012345678', false],
    ['1234567890123456789000', false],
  ])('%s is kept exactly: %s', (text, exact) => {
    expect(isExactNumber(text)).toBe(exact);
  });

  it('names each inexact number by its path, skipping numbers inside strings', () => {
    const json =
      JSON.stringify({ a: 'x 1e400 y' }).slice(0, -1) +
      ', "grid_data": {"blocks": [[[1, 2, 123456789012345678901234567890123, 20]]], ' +
      '"extra": 1e400, "odd key": [0, 1e-999], "fine": 1.5e3}}';
    expect(inexactNumbers(json)).toEqual([
      { field: 'grid_data.blocks[0][0][2]', text: '123456789012345678901234567890123' },
      { field: 'grid_data.extra', text: '1e400' },
      { field: 'grid_data["odd key"][1]', text: '1e-999' },
    ]);
  });

  it('finds nothing in an ordinary grid, and stops at the limit', () => {
    expect(inexactNumbers('{"blocks": [[[0, 255, 3, 20]]], "code": ["x = 1e5"]}')).toEqual([]);
    expect(inexactNumbers(`[${Array(30).fill('1e400').join(',')}]`, 3)).toHaveLength(3);
    expect(inexactNumbers('1e400')).toEqual([{ field: '(value)', text: '1e400' }]);
  });
});
