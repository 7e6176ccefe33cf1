import * as fs from 'fs';
import * as path from 'path';
import { LegacyHashids } from './legacy-hashids';

interface Vector {
  salt: string;
  min_length: number;
  id: number;
  hash: string;
}

// Produced by the real Python hashids 0.8.4; the only ground truth we have for
// URLs the legacy site handed out.
const vectors = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../test/fixtures/legacy-hashids-vectors.json'), 'utf8'),
) as Vector[];

describe('LegacyHashids', () => {
  it('has all 200 reference vectors', () => {
    expect(vectors).toHaveLength(200);
  });

  describe('Python hashids 0.8.4 reference vectors', () => {
    const codecs = new Map<string, LegacyHashids>();
    const codecFor = (v: Vector): LegacyHashids => {
      const key = JSON.stringify([v.salt, v.min_length]);
      let codec = codecs.get(key);
      if (!codec) {
        codec = new LegacyHashids(v.salt, v.min_length);
        codecs.set(key, codec);
      }
      return codec;
    };

    test.each(vectors.map((v, i) => [i, v] as const))('#%i %j', (_index, v) => {
      const codec = codecFor(v);
      expect(codec.encode(v.id)).toBe(v.hash);
      expect(codec.decode(v.hash)).toBe(v.id);
    });
  });

  describe('documented examples (min length 6)', () => {
    it.each([
      ['public', 'bizkiL oTAnTn jcLacK 6i5aiX jTezTx'],
      ['secret', 'MiXoi4 yTLkT9 dc5qc8 yidzij GTjGTL'],
    ])('salt %s', (salt, expected) => {
      const codec = new LegacyHashids(salt, 6);
      const hashes = expected.split(' ');
      expect([1, 2, 3, 4, 5].map((id) => codec.encode(id))).toEqual(hashes);
      expect(hashes.map((h) => codec.decode(h))).toEqual([1, 2, 3, 4, 5]);
    });
  });

  describe('strict decode', () => {
    const publicCodec = new LegacyHashids('public', 6);

    // The Python library's own decrypt() maps every one of these to a number
    // (bizkiM -> 1, MiXoi4 -> 15, x -> 0, !!!!!! -> 27674845, bizkiLé -> 1);
    // only canonical spellings may resolve to a grid.
    it.each([
      ['an alias of id 1', 'bizkiM'],
      ['a secret-salt hash', 'MiXoi4'],
      ['the empty string', ''],
      ['a single char', 'x'],
      ['chars outside the alphabet', '!!!!!!'],
      ['a valid hash with a non-ASCII suffix', 'bizkiL' + 'é'],
      ['a 10,000-char string', 'bizkiL'.repeat(1667).slice(0, 10_000)],
      ['a long run of the zero digit', 'B'.repeat(10_000)],
      ['astral-plane chars', '😀😀😀😀😀😀'],
    ])('rejects %s', (_label, input) => {
      expect(publicCodec.decode(input)).toBeNull();
    });

    it('rejects secret hashes under the public salt unless they re-encode identically', () => {
      const secretCodec = new LegacyHashids('secret', 6);
      for (let id = 1; id <= 500; id++) {
        const secretHash = secretCodec.encode(id);
        const decoded = publicCodec.decode(secretHash);
        if (decoded !== null) expect(publicCodec.encode(decoded)).toBe(secretHash);
      }
    });

    it('never throws on arbitrary input', () => {
      const chars = ['a', 'B', 'i', 'c', 'T', 'S', '0', '!', 'é', '😀', '\u0000', '\ud800'];
      let seed = 42;
      const next = (): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed;
      };
      for (let n = 0; n < 2000; n++) {
        let s = '';
        const len = next() % 20;
        for (let i = 0; i < len; i++) s += chars[next() % chars.length];
        expect(() => publicCodec.decode(s)).not.toThrow();
      }
    });
  });

  describe('encode', () => {
    const codec = new LegacyHashids('public', 6);

    it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])(
      'throws RangeError on %p',
      (id) => {
        expect(() => codec.encode(id)).toThrow(RangeError);
      },
    );

    it('round-trips ids beyond 2^32 up to the largest safe integer', () => {
      for (const id of [0, 2 ** 32, 420396698330, Number.MAX_SAFE_INTEGER]) {
        expect(codec.decode(codec.encode(id))).toBe(id);
      }
    });
  });
});
