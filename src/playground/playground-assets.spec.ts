import type { Request } from 'express';
import { preferredEncoding } from './playground-assets';

const request = (acceptEncoding?: string) =>
  ({
    headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
  }) as Request;

describe('preferredEncoding', () => {
  it.each([
    // Chrome lists gzip first: brotli is still the smaller answer it accepts.
    ['gzip, deflate, br, zstd', 'br'],
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['deflate, gzip;q=0.5', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['identity', undefined],
    ['deflate', undefined],
    ['br;q=0, gzip;q=0', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('Accept-Encoding %j gets %s', (header, encoding) => {
    expect(preferredEncoding(request(header), ['br', 'gzip'])).toBe(encoding);
  });

  it('offers only the forms the build stored', () => {
    expect(preferredEncoding(request('gzip, br'), ['gzip'])).toBe('gzip');
    expect(preferredEncoding(request('gzip, br'), [])).toBeUndefined();
  });
});
