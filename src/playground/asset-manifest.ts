import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/paths';

/**
 * Where `npm run build` puts the playground's browser files: the page and worker bundles and
 * Pyodide, each with its precompressed forms. Inside dist/ like the rest of the build; `nest
 * build` alone (start:dev) clears it, and the playground page then says so.
 */
export const CLIENT_DIST_DIR = join(PROJECT_ROOT, 'dist', 'client');
export const MANIFEST_FILE = join(CLIENT_DIST_DIR, 'manifest.json');

/** The URL prefix of every file the playground serves; the rest of the URL is its path in CLIENT_DIST_DIR. */
export const PLAYGROUND_STATIC_PREFIX = '/static/';

/** Precompressed forms a file may have beside it, `<file>.br` and `<file>.gz`. */
export type StoredEncoding = 'br' | 'gzip';

export interface ManifestFile {
  /** The file's path under CLIENT_DIST_DIR, which is also its URL under /static/. */
  path: string;
  contentType: string;
  encodings: StoredEncoding[];
}

/** What the build wrote: the server reads it to name the scripts and to serve the files. */
export interface AssetManifest {
  /** `/static/play/page.<hash>.js`: the page's module script. */
  page: string;
  /** `/static/play/worker.<hash>.js`: the Web Worker that runs Python. */
  worker: string;
  /** `/static/pyodide/<hash>/`: where Pyodide's files are. */
  pyodideIndex: string;
  files: ManifestFile[];
}

export const ENCODING_SUFFIX: Record<StoredEncoding, string> = { br: '.br', gzip: '.gz' };
