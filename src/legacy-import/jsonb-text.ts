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
 * (see `src/common/storable-text.ts`).
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
