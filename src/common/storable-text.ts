/**
 * Postgres stores text as UTF-8 and has no way to hold U+0000 (in `text` or in `jsonb`), nor half
 * of a UTF-16 surrogate pair (jsonb refuses the `\ud800` escape; as a `text` parameter the driver
 * would silently turn it into U+FFFD). JavaScript strings can hold both, and JSON can carry both
 * as `\u` escapes, so whatever is about to be stored is checked here first.
 */

/** A string that cannot be stored, where it is, and why. */
export interface UnstorableString {
  /** Where it is: `code_cells[2]`, `grid_data.note`, `grid_data["bad\u0000key"]` (for a key). */
  field: string;
  message: string;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Why `text` cannot be stored, as the end of a sentence about it, or null when it can. */
export function unstorableReason(text: string): string | null {
  if (text.includes('\u0000')) return 'holds a NUL character (U+0000), which cannot be stored';
  const lone = LONE_SURROGATE.exec(text);
  if (lone === null) return null;
  const code = lone[0].charCodeAt(0).toString(16).toUpperCase();
  return `holds a lone UTF-16 surrogate (U+${code}), which cannot be stored`;
}

/** `parent.key`, or `parent["key"]` (JSON-escaped) when the key is not a plain identifier. */
export function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (IDENTIFIER.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Every string (value or object key) under `value` that Postgres cannot store, named by its path
 * from `field`. A walk of a whole grid is costly: screen its JSON text with `mayHoldUnstorable`
 * first, or skip the parts already known to hold no strings.
 */
export function* unstorableStrings(value: unknown, field = ''): Generator<UnstorableString> {
  if (typeof value === 'string') {
    const reason = unstorableReason(value);
    if (reason !== null) yield { field: field || '(value)', message: reason };
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* unstorableStrings(value[i], fieldPath(field, i));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const path = fieldPath(field, key);
    const reason = unstorableReason(key);
    if (reason !== null) yield { field: path, message: `the key ${reason}` };
    yield* unstorableStrings(item, path);
  }
}

/** The first string under `value` that Postgres cannot store, or null when there is none. */
export function findUnstorableString(value: unknown, field = ''): UnstorableString | null {
  for (const found of unstorableStrings(value, field)) return found;
  return null;
}

/**
 * False when the JSON text cannot decode to a string `unstorableStrings` would flag: valid UTF-8
 * cannot encode a lone surrogate and JSON refuses a raw U+0000 in a string, so only a NUL or a
 * `\u` escape can bring one in.
 */
export function mayHoldUnstorable(json: string): boolean {
  return json.includes('\u0000') || /\\u(?:0000|d[89a-f])/i.test(json);
}
