/**
 * JSON text exactly as Postgres prints a jsonb value (`value::text`), for a value that came from
 * JSON.parse. The import sends this text and hashes it: the database then stores the very text
 * the hash was made from, and verification can recompute the same hash in SQL with
 * `md5(jsonb_build_array(...)::text)` instead of pulling every row back into Node.
 *
 * What jsonb output does, and so what this does:
 * - object keys sorted by their length in UTF-8 bytes, then bytewise (jsonb's storage order);
 * - `", "` between items and `": "` after keys;
 * - strings escaped like JSON.stringify (`escape_json` escapes the same characters, lowercase hex);
 * - numbers in plain decimal notation: jsonb keeps numerics, which never print an exponent.
 *
 * Strings holding U+0000 or a lone surrogate have no jsonb form: callers reject them first
 * (see `findUnstorableString`).
 */
export function toJsonbText(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return numberText(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? arrayText(value) : objectText(value as Record<string, unknown>);
    default:
      throw new TypeError(`not a JSON value: ${typeof value}`);
  }
}

function arrayText(items: unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ', ';
    const item = items[i];
    // Blocks are lists of small integers: the bulk of every grid, so skip the generic path.
    out += Number.isSafeInteger(item) ? String(item) : toJsonbText(item);
  }
  return `${out}]`;
}

function objectText(object: Record<string, unknown>): string {
  const keys = Object.keys(object).sort(compareJsonbKeys);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ', ';
    out += `${JSON.stringify(keys[i])}: ${toJsonbText(object[keys[i]])}`;
  }
  return `${out}}`;
}

function compareJsonbKeys(a: string, b: string): number {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length - bb.length || Buffer.compare(ab, bb);
}

/** `String(n)`, with any exponent written out the way Postgres' numeric output does. */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`not a JSON number: ${n}`);
  const text = String(n);
  const e = text.indexOf('e');
  if (e < 0) return text;
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.slice(negative ? 1 : 0, e).split('.');
  const digits = whole + fraction;
  const point = whole.length + Number(text.slice(e + 1));
  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length);
  else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${plain}` : plain;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);

/**
 * The first string (value or key) Postgres cannot store in jsonb or text, or null. Walking a whole
 * grid is costly, so `mayHoldUnstorable` screens the raw JSON text first.
 */
export function findUnstorableString(value: unknown): string | null {
  if (typeof value === 'string') return unstorable(value) ? value : null;
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findUnstorableString(item);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    if (unstorable(key)) return key;
    const found = findUnstorableString(item);
    if (found !== null) return found;
  }
  return null;
}

/**
 * False when the JSON text cannot decode to a string `findUnstorableString` would flag. Text read
 * from SQLite is already well-formed (invalid UTF-8 becomes U+FFFD), so only a NUL or a `\u`
 * escape can bring one in.
 */
export function mayHoldUnstorable(json: string): boolean {
  return json.includes('\u0000') || /\\u(?:0000|d[89a-f])/i.test(json);
}
