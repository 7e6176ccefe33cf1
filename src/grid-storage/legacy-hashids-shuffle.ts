// The building blocks of Python hashids 0.8.4 (see legacy-hashids.ts): its alphabet and
// separators, its consistent shuffle, and its number-to-digits step, on code points.

export const DEFAULT_ALPHABET = 'xcS4F6h89aUbideAI7tkynuopqrXCgTE5GBKHLMjfRsz';

// 0.8.x takes separators from these (1-based) alphabet positions, not from
// the "cfhistu" set that later versions use.
export const SEPARATOR_PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43];

// Python pops these indexes one after another from a shrinking list, so with
// 14 separators the guards are separators #0, #5 and #10 of the original list.
export const GUARD_POPS = [0, 4, 8, 12];

export type CodePoints = readonly string[];

export function codePointValues(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) out.push(ch.codePointAt(0) as number);
  return out;
}

/** The per-salt keys of 0.8.x's consistent shuffle (`_reorder`). */
export function shuffleKeys(salt: readonly number[]): number[] {
  const keys = salt.length > 0 ? salt.slice() : [0];
  const n = keys.length;
  for (let i = 0; i < n; i++) {
    // Keys already finalised for j < i feed into later ones; the order matters.
    let acc = keys[i];
    let add = true;
    for (let k = i; k < n + i - 1; k++) {
      const diff = keys[(k + 1) % n];
      acc += add ? diff + k * i : -diff;
      add = !add;
    }
    // Python ints never overflow; keys grow only polynomially with salt length,
    // so this can only trip on absurdly long salts, where we refuse rather than
    // silently diverge.
    if (!Number.isSafeInteger(acc)) {
      throw new RangeError('LegacyHashids: salt too long to shuffle exactly');
    }
    keys[i] = Math.abs(acc);
  }
  return keys;
}

export function reorder<T>(values: readonly T[], salt: readonly number[]): T[] {
  const keys = shuffleKeys(salt);
  const pool = values.slice();
  const out: T[] = [];
  let i = -1;
  while (pool.length > 0) {
    i = (i + 1) % keys.length;
    out.push(pool.splice(keys[i] % pool.length, 1)[0]);
  }
  return out;
}

/** First element `reorder` would yield: only the first key is needed, and it does not depend on the others. */
export function reorderHeadIndex(salt: string, length: number): number {
  // Callers only pass ASCII salts (decimal digits and '-').
  let acc = salt.charCodeAt(0);
  for (let j = 1; j < salt.length; j++) {
    acc += j % 2 === 1 ? salt.charCodeAt(j) : -salt.charCodeAt(j);
  }
  return Math.abs(acc) % length;
}

/** Python's `str((v + 1) * 2)`, exact even when the product leaves the safe-integer range. */
export function doubledSuccessor(value: number): string {
  const doubled = (value + 1) * 2;
  return Number.isSafeInteger(doubled) ? String(doubled) : String((BigInt(value) + 1n) * 2n);
}

export function toFront(first: string, values: CodePoints): string[] {
  const out = [first];
  for (const v of values) if (v !== first) out.push(v);
  return out;
}

export function hashNumber(value: number, alphabet: CodePoints): string {
  const base = alphabet.length;
  let n = value;
  let out = '';
  do {
    const digit = n % base;
    out = alphabet[digit] + out;
    // (n - digit) / base is exact for any safe integer; Math.floor(n / base)
    // can round up near 2^53.
    n = (n - digit) / base;
  } while (n > 0);
  return out;
}
