import { numberText, toJsonbText } from './jsonb-text';

// Expected strings are what Postgres prints for `'<input>'::jsonb::text`; the e2e suite checks
// the same property against a live database.
describe('toJsonbText', () => {
  it('sorts keys by UTF-8 length, then bytewise, as jsonb stores them', () => {
    expect(toJsonbText({ width: 2, height: 1, blocks: [], lines_on: true })).toBe(
      '{"width": 2, "blocks": [], "height": 1, "lines_on": true}',
    );
    // "é" is two bytes, so it comes after every one-byte key; 🎨 is four.
    expect(toJsonbText({ '🎨': 1, é: 2, z: 3, '': 4, aa: 5 })).toBe(
      '{"": 4, "z": 3, "aa": 5, "é": 2, "🎨": 1}',
    );
  });

  it('separates items with ", " and keys with ": ", and nests', () => {
    expect(toJsonbText([[[0, 0, 128, 20]], [], {}, null, false, 'x'])).toBe(
      '[[[0, 0, 128, 20]], [], {}, null, false, "x"]',
    );
  });

  it('escapes strings like escape_json: the usual escapes, other controls as lowercase \\u', () => {
    expect(toJsonbText('q" bs\\ nl\n tab\t \u0001 \u001f \u007f \u2028 ünï 日本 🎨')).toBe(
      '"q\\" bs\\\\ nl\\n tab\\t \\u0001 \\u001f \u007f \u2028 ünï 日本 🎨"',
    );
  });

  it('writes numbers in plain decimal, never with an exponent', () => {
    expect(numberText(1e-7)).toBe('0.0000001');
    expect(numberText(-3.75e-3)).toBe('-0.00375');
    expect(numberText(1.5e21)).toBe('1500000000000000000000');
    expect(numberText(1e21)).toBe('1000000000000000000000');
    expect(numberText(-0)).toBe('0');
    expect(numberText(0.1)).toBe('0.1');
    expect(numberText(123456789012)).toBe('123456789012');
    expect(toJsonbText([2.5, 1e-7, 255])).toBe('[2.5, 0.0000001, 255]');
  });

  it('refuses what is not JSON', () => {
    expect(() => toJsonbText(undefined)).toThrow(TypeError);
    expect(() => numberText(Number.NaN)).toThrow(TypeError);
  });
});
