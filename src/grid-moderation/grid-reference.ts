import type { Visibility } from '../grid-storage/grid-data';

/** A grid as the operator names it: which table, and its id as URLs spell it. */
export interface GridReference {
  visibility: Visibility;
  hashId: string;
}

/** What the operator typed names no grid; the message says what would. */
export class GridReferenceError extends Error {}

const EXAMPLES =
  'a page URL (http://www.ipythonblocks.org/bizkiL), a /get/ or /secret/ URL, ' +
  'an id (bizkiL) or a secret id (secret/MiXoi4)';
/** The legacy hashids alphabet: letters and digits. */
const HASH_ID = /^[A-Za-z0-9]{1,32}$/;
/** What a grid route may add after the id: `.png`, `.py`, and any format to come. */
const FORMAT_SUFFIX = /\.[a-z0-9]{1,8}$/i;

/**
 * The grid named by any URL the site gives out for it, whatever its host (PUBLIC_URL may differ
 * from the address a person pasted): `/<id>`, `/secret/<id>`, `/get/<id>`, `/get/secret/<id>`,
 * `/<id>.png` and other formats, `/<id>/embed`, `/oembed?url=<page URL>`; or by its id alone,
 * a secret grid's as `secret/<id>` (the id alone names a public grid, as in URLs).
 */
export function parseGridReference(input: string): GridReference {
  const text = input.trim();
  let url: URL;
  try {
    url = /^https?:\/\//i.test(text)
      ? new URL(text)
      : new URL(text.startsWith('/') ? text : `/${text}`, 'http://localhost');
  } catch {
    throw new GridReferenceError(
      `not a grid URL or id: ${JSON.stringify(input)} (give ${EXAMPLES})`,
    );
  }
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (segments[0] === 'oembed' && segments.length === 1) {
    const page = url.searchParams.get('url');
    if (page) return parseGridReference(page);
  }
  if (segments[0] === 'get') segments.shift();
  let visibility: Visibility = 'public';
  if (segments[0] === 'secret') {
    visibility = 'secret';
    segments.shift();
  }
  if (segments[1] === 'embed') segments.pop();
  const hashId = segments.length === 1 ? segments[0].replace(FORMAT_SUFFIX, '') : '';
  if (!HASH_ID.test(hashId)) {
    throw new GridReferenceError(
      `not a grid URL or id: ${JSON.stringify(input)} (give ${EXAMPLES})`,
    );
  }
  return { visibility, hashId };
}
