/*
 * Port of the hashids algorithm exactly as shipped in the Python `hashids`
 * package 0.8.4 (2014; the algorithm is unchanged since 0.8.3, which tracked
 * hashids.js 0.1.x).
 *
 * Why this exists: the legacy ipythonblocks.org site generated its public and
 * secret grid URLs with that package, and those URLs are out in the wild
 * (notebooks, blog posts, bookmarks). They must keep resolving. The npm
 * `hashids` 2.x package (and Python hashids >= 1.0) implement a later,
 * incompatible revision of the algorithm and produce different strings, so
 * they cannot be used.
 *
 * Python operates on unicode strings, so every string here is treated as a
 * sequence of code points (never UTF-16 units): salts like "ü-salt" must
 * shuffle exactly as they did on the old site.
 */

import {
  DEFAULT_ALPHABET,
  SEPARATOR_PRIMES,
  GUARD_POPS,
  type CodePoints,
  codePointValues,
  reorder,
  reorderHeadIndex,
  doubledSuccessor,
  toFront,
  hashNumber,
} from './legacy-hashids-shuffle';

/** Everything `encode`/`decode` need once the lottery character is known. */
interface LotteryEntry {
  /** Alphabet after moving the lottery char to the front and shuffling with the lottery salt. */
  alphabet: string[];
  digitOf: Map<string, number>;
  /** Padding strings for the first `_ensure_length` round: they depend only on `alphabet`. */
  padLeft: string[];
  padRight: string[];
}

export class LegacyHashids {
  private readonly minLength: number;
  private readonly saltCodes: number[];
  private readonly alphabet: string[];
  private readonly separators: string[];
  private readonly guards: string[];
  private readonly separatorSet: Set<string>;
  private readonly guardSet: Set<string>;
  private readonly lottery = new Map<string, LotteryEntry>();
  /** No valid hash is longer (in UTF-16 units) than this; lets decode drop junk before any work. */
  private readonly maxHashUnits: number;

  constructor(salt: string, minLength = 0, alphabet: string = DEFAULT_ALPHABET) {
    if (!Number.isFinite(minLength))
      throw new RangeError('LegacyHashids: minLength must be finite');
    this.minLength = Math.max(Math.trunc(minLength), 0);
    this.saltCodes = codePointValues(salt);

    const unique = [...new Set(Array.from(alphabet))];
    if (unique.length < 4) {
      throw new RangeError('LegacyHashids: alphabet must contain at least 4 unique characters');
    }

    const taken = new Set<number>();
    const separators: string[] = [];
    for (const prime of SEPARATOR_PRIMES) {
      if (prime - 1 < unique.length) {
        separators.push(unique[prime - 1]);
        taken.add(prime - 1);
      }
    }
    const guards: string[] = [];
    for (const index of GUARD_POPS) {
      if (index < separators.length) guards.push(separators.splice(index, 1)[0]);
    }
    this.guards = guards;
    this.separators = separators;
    this.guardSet = new Set(guards);
    this.separatorSet = new Set(separators);
    this.alphabet = reorder(
      unique.filter((_, i) => !taken.has(i)),
      this.saltCodes,
    );

    for (const ch of this.alphabet) {
      const entryAlphabet = reorder(
        toFront(ch, this.alphabet),
        this.alphabetSalt(ch, this.saltCodes),
      );
      const pads = this.padsFor(entryAlphabet);
      this.lottery.set(ch, {
        alphabet: entryAlphabet,
        digitOf: new Map(entryAlphabet.map((c, i) => [c, i])),
        padLeft: pads.left,
        padRight: pads.right,
      });
    }

    // Valid output is exactly max(minLength, 1 + digit count) code points long.
    const maxDigits = hashNumber(Number.MAX_SAFE_INTEGER, this.alphabet).length;
    this.maxHashUnits = 2 * Math.max(this.minLength, 1 + maxDigits);
  }

  encode(id: number): string {
    if (!Number.isSafeInteger(id) || id < 0) {
      throw new RangeError(`LegacyHashids.encode: expected a non-negative safe integer, got ${id}`);
    }
    const lotteryChar =
      this.alphabet[reorderHeadIndex(`${id}-${doubledSuccessor(id)}`, this.alphabet.length)];
    const entry = this.lottery.get(lotteryChar) as LotteryEntry;
    const core = lotteryChar + hashNumber(id, entry.alphabet);
    return this.ensureLength(core, id, entry);
  }

  decode(hash: string): number | null {
    if (typeof hash !== 'string' || hash.length === 0 || hash.length > this.maxHashUnits)
      return null;

    const parts = this.split(Array.from(hash), this.guardSet);
    const inner = parts.length === 2 || parts.length === 3 ? parts[1] : parts[0];
    const pieces = this.split(inner, this.separatorSet);
    // Python yields one number per non-empty piece, and none at all when the
    // first piece is empty (no lottery char). Anything but exactly one number
    // is not a single id, whatever the remaining pieces contain.
    const first = pieces[0];
    if (first.length === 0) return null;
    for (let i = 1; i < pieces.length; i++) if (pieces[i].length > 0) return null;

    // encode() only ever emits alphabet chars here, so an unknown lottery char
    // cannot be part of a hash that re-encodes to the input.
    const entry = this.lottery.get(first[0]);
    if (entry === undefined) return null;
    const base = entry.alphabet.length;
    let id = 0;
    for (let i = 1; i < first.length; i++) {
      const digit = entry.digitOf.get(first[i]);
      if (digit === undefined) return null;
      id = id * base + digit;
      if (id > Number.MAX_SAFE_INTEGER) return null;
    }

    // 0.8.4's own decrypt accepts aliases (other strings mapping to the same
    // number); only the canonical spelling may resolve to a grid.
    return this.encode(id) === hash ? id : null;
  }

  private split(chars: CodePoints, splitters: ReadonlySet<string>): string[][] {
    const out: string[][] = [];
    let part: string[] = [];
    for (const ch of chars) {
      if (splitters.has(ch)) {
        out.push(part);
        part = [];
      } else {
        part.push(ch);
      }
    }
    out.push(part);
    return out;
  }

  /** Python's `'%d%s' % (ord(lottery_char) & 12345, salt)`, as code points. */
  private alphabetSalt(lotteryChar: string, saltCodes: readonly number[]): number[] {
    const prefix = String((lotteryChar.codePointAt(0) as number) & 12345);
    return [...codePointValues(prefix), ...saltCodes];
  }

  /** Python's multi-value `_encode`; only needed for the padding, which encodes two numbers. */
  private encodeValues(
    values: readonly number[],
    alphabet: CodePoints,
    saltCodes: readonly number[],
  ): { hashed: string[]; alphabet: string[] } {
    const strValues = values.map(String);
    const separators = reorder(this.separators, codePointValues(strValues.join('')));
    const lotterySalt = [...strValues, ...values.map(doubledSuccessor)].join('-');
    const lotteryChar = alphabet[reorderHeadIndex(lotterySalt, alphabet.length)];
    const hashed = [lotteryChar];
    let current = toFront(lotteryChar, alphabet);
    const salt = this.alphabetSalt(lotteryChar, saltCodes);
    values.forEach((value, i) => {
      current = reorder(current, salt);
      hashed.push(...Array.from(hashNumber(value, current)));
      if (i < values.length - 1) hashed.push(separators[(value + i) % separators.length]);
    });
    return { hashed, alphabet: current };
  }

  private padsFor(alphabet: CodePoints): { left: string[]; right: string[] } {
    const pad = [alphabet[1].codePointAt(0) as number, alphabet[0].codePointAt(0) as number];
    return {
      left: this.encodeValues(pad, alphabet, this.saltCodes).hashed,
      right: this.encodeValues(pad, alphabet, codePointValues(`${pad[0]}${pad[1]}`)).hashed,
    };
  }

  /** Python's `_ensure_length` for a single value. */
  private ensureLength(core: string, id: number, entry: LotteryEntry): string {
    const min = this.minLength;
    // Lengths are in code points, as in Python; custom alphabets may hold astral chars.
    let hash = Array.from(core);
    if (hash.length >= min) return core;

    const guards = this.guards;
    const guardIndex = id % guards.length;
    hash.unshift(guards[guardIndex]);
    if (hash.length < min) hash.push(guards[(guardIndex + hash.length) % guards.length]);

    let alphabet: string[] = entry.alphabet;
    let padLeft = entry.padLeft;
    let padRight = entry.padRight;
    while (hash.length < min) {
      hash = [...padLeft, ...hash, ...padRight];
      const excess = hash.length - min;
      if (excess > 0) {
        // Python's hashid[excess//2:-excess//2] drops the odd char on the right.
        hash = hash.slice(Math.floor(excess / 2), hash.length - Math.ceil(excess / 2));
      }
      // Python reshuffles once more before re-testing the loop condition; that
      // alphabet is never used once the hash is long enough, so skip the work.
      if (hash.length >= min) break;
      alphabet = reorder(alphabet, [...this.saltCodes, ...codePointValues(hash.join(''))]);
      const pads = this.padsFor(alphabet);
      padLeft = pads.left;
      padRight = pads.right;
    }
    return hash.join('');
  }
}
