import { MAX_JSON_DEPTH, parseJsonBody } from './json-body.interceptor';

describe('parseJsonBody', () => {
  it('parses JSON whatever the Content-Type was', () => {
    expect(parseJsonBody(Buffer.from('{"a": [1, "é"]}'))).toEqual({ a: [1, 'é'] });
  });

  it.each([
    ['an empty body', Buffer.alloc(0), /empty/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), /UTF-8/],
    ['malformed JSON', Buffer.from('{"a": '), /not valid JSON/],
    [
      'deep nesting',
      Buffer.from('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)),
      /deeper/,
    ],
  ])('refuses %s with a 400 that says so', (_name, body, message) => {
    expect(() => parseJsonBody(body)).toThrow(message);
  });

  it('does not count brackets inside strings as nesting', () => {
    const text = JSON.stringify({ code: '['.repeat(100) });
    expect(parseJsonBody(Buffer.from(text))).toEqual({ code: '['.repeat(100) });
  });
});
