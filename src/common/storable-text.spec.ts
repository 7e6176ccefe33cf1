import { findUnstorableString, mayHoldUnstorable, unstorableStrings } from './storable-text';

describe('strings Postgres cannot store', () => {
  it('finds U+0000 and lone surrogates, in values and in keys', () => {
    expect(findUnstorableString(['ok', { a: 'x\u0000y' }])?.field).toBe('[1].a');
    expect(findUnstorableString({ 'k\u0000': 1 })?.field).toBe('["k\\u0000"]');
    expect(findUnstorableString(['\ud83c'])?.message).toContain('lone UTF-16 surrogate (U+D83C)');
    expect(findUnstorableString(['\udfa8 alone'])?.message).toContain('(U+DFA8)');
    expect(findUnstorableString(['🎨 a pair is fine', 1, null, true])).toBeNull();
  });

  it('names each one by its path from the field given', () => {
    const grid = { width: 1, note: 'a\u0000', 'two words': ['\ud800'], 'k\u0000': 'v' };
    expect([...unstorableStrings(grid, 'grid_data')]).toEqual([
      {
        field: 'grid_data.note',
        message: 'holds a NUL character (U+0000), which cannot be stored',
      },
      {
        field: 'grid_data["two words"][0]',
        message: 'holds a lone UTF-16 surrogate (U+D800), which cannot be stored',
      },
      {
        field: 'grid_data["k\\u0000"]',
        message: 'the key holds a NUL character (U+0000), which cannot be stored',
      },
    ]);
    expect(findUnstorableString('x\u0000', 'ipb_version')?.field).toBe('ipb_version');
  });

  it('screens raw JSON text cheaply before the walk', () => {
    expect(mayHoldUnstorable('{"a": [1, 2, 3]}')).toBe(false);
    expect(mayHoldUnstorable('["\\u0000"]')).toBe(true);
    expect(mayHoldUnstorable('["\\uD83C"]')).toBe(true);
    expect(mayHoldUnstorable('["\u0000"]')).toBe(true);
  });
});
