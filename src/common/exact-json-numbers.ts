import { fieldPath } from './storable-text';

/**
 * JSON numbers are decimals of any size; JavaScript reads them as doubles. A number with more
 * than 15 significant digits, or one past the double's range (`1e400` becomes Infinity, which
 * JSON.stringify writes as `null`; `1e-400` becomes 0), would be stored as another value than
 * the one sent. Postgres' jsonb would keep it exactly, but every grid passes through JavaScript
 * on its way in and out (validation, rendering, the cache), so such a number is refused and
 * named instead of changed silently. Numbers that only change their spelling (`1.0`, `1E2`, `-0`)
 * keep their value and are taken.
 */

/** A number JavaScript cannot hold exactly, where it is, and what it is. */
export interface InexactNumber {
  /** Where it is, from the document's root: `grid_data.extra`, `grid_data.blocks[0][1][2]`. */
  field: string;
  /** The number as written (the first 40 characters). */
  text: string;
}

/**
 * A superset of the texts holding an inexact number: one with an exponent, or a run of 16 digits
 * and points. Grids and code are nearly always free of both, so nearly every post skips the walk.
 */
const MAY_HOLD_INEXACT = /[0-9][eE]|[0-9.]{16,}/;

/**
 * Up to `limit` numbers of `json` (valid JSON text) whose value JavaScript would change, named by
 * their path from `root` (the field the text is the value of, if any).
 */
export function inexactNumbers(json: string, limit = 20, root = ''): InexactNumber[] {
  if (!MAY_HOLD_INEXACT.test(json)) return [];
  const found: InexactNumber[] = [];
  new Walker(json, found, limit, root).value();
  return found;
}

/** Whether the decimal `text` (a JSON number) reads as a double of exactly its value. */
export function isExactNumber(text: string): boolean {
  const value = Number(text);
  if (!Number.isFinite(value)) return false;
  return decimalKey(text) === decimalKey(String(value));
}

/** The decimal's value as `[-]digits e exponent` with no leading or trailing zeros; `0` for zero. */
function decimalKey(text: string): string {
  const negative = text.startsWith('-');
  const unsigned = negative || text.startsWith('+') ? text.slice(1) : text;
  const [mantissa, exponentText = '0'] = unsigned.toLowerCase().split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  let digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  let exponent = Number(exponentText) - fraction.length;
  const trailing = /0+$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  return `${negative ? '-' : ''}${digits}e${exponent}`;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;
const SPACE = /[ \t\n\r]*/y;

/** Walks valid JSON text (its nesting already bounded by the caller). */
class Walker {
  private at = 0;
  /** The keys and indices down to the value being read: a path is spelt only for a find. */
  private readonly keys: (string | number)[] = [];

  constructor(
    private readonly json: string,
    private readonly found: InexactNumber[],
    private readonly limit: number,
    private readonly root: string,
  ) {}

  value(): void {
    this.space();
    const c = this.json[this.at];
    if (c === '{') this.object();
    else if (c === '[') this.array();
    else if (c === '"') this.string();
    else if (c === '-' || (c >= '0' && c <= '9')) this.number();
    // true, false, null
    else this.at += c === 'f' ? 5 : 4;
  }

  private object(): void {
    this.at++;
    this.space();
    if (this.json[this.at] === '}') {
      this.at++;
      return;
    }
    for (;;) {
      this.space();
      const key = JSON.parse(this.string()) as string;
      this.space();
      this.at++; // ':'
      this.keys.push(key);
      this.value();
      this.keys.pop();
      this.space();
      if (this.json[this.at++] === '}') return;
    }
  }

  private array(): void {
    this.at++;
    this.space();
    if (this.json[this.at] === ']') {
      this.at++;
      return;
    }
    for (let index = 0; ; index++) {
      this.keys.push(index);
      this.value();
      this.keys.pop();
      this.space();
      if (this.json[this.at++] === ']') return;
    }
  }

  private string(): string {
    STRING.lastIndex = this.at;
    const match = STRING.exec(this.json)!;
    this.at = STRING.lastIndex;
    return match[0];
  }

  private number(): void {
    NUMBER.lastIndex = this.at;
    const text = NUMBER.exec(this.json)![0];
    this.at = NUMBER.lastIndex;
    // Up to 15 significant digits and no exponent: always exactly a double.
    const simple = text.length <= 15 && !/[eE]/.test(text);
    if (!simple && this.found.length < this.limit && !isExactNumber(text)) {
      const field = this.keys.reduce<string>((path, key) => fieldPath(path, key), this.root);
      this.found.push({ field: field || '(value)', text: text.slice(0, 40) });
    }
  }

  private space(): void {
    SPACE.lastIndex = this.at;
    SPACE.exec(this.json);
    this.at = SPACE.lastIndex;
  }
}

/** The 400 message of an inexact number. */
export function inexactNumberMessage(number: InexactNumber): string {
  return (
    `holds the number ${number.text}, which cannot be kept exactly ` +
    '(more than 15 significant digits, or out of range): send it as a string'
  );
}
