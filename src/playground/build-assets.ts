/**
 * `npm run build`'s second step, after `nest build` (node dist/playground/build-assets.js): the
 * playground's browser files into dist/client/. The page and its worker are bundled by esbuild
 * (CodeMirror and our code, nothing fetched from another host), Pyodide's runtime is copied from
 * the npm package under a directory named by a hash of its files, and every file gets brotli and
 * gzip forms beside it, so the server only ever picks one. A manifest says what was written.
 *
 * Brotli at its best quality takes ~30 s for Pyodide's 9.6 MB of WebAssembly on one core, so the
 * compressed forms are kept in node_modules/.cache by content hash: a rebuild reuses them.
 */
import { build, type OutputFile } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { PROJECT_ROOT } from '../common/paths';
import {
  type AssetManifest,
  CLIENT_DIST_DIR,
  ENCODING_SUFFIX,
  type ManifestFile,
  MANIFEST_FILE,
  PLAYGROUND_STATIC_PREFIX,
  type StoredEncoding,
} from './asset-manifest';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const CLIENT_SRC = join(PROJECT_ROOT, 'client', 'playground');
const PYODIDE_PACKAGE = join(PROJECT_ROOT, 'node_modules', 'pyodide');
const COMPRESSED_CACHE = join(PROJECT_ROOT, 'node_modules', '.cache', 'ipb-playground');

/**
 * What loadPyodide fetches for a program that imports only the standard library: its module,
 * the Emscripten glue, the WebAssembly, the standard library and the lock file (read at start,
 * even when no package is installed).
 */
export const PYODIDE_FILES = [
  'pyodide.mjs',
  'pyodide.asm.mjs',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
  'pyodide-lock.json',
];

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.zip': 'application/zip',
  '.json': 'application/json; charset=utf-8',
};

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

async function compressed(body: Buffer, encoding: StoredEncoding): Promise<Buffer> {
  const cached = join(COMPRESSED_CACHE, `${sha256(body)}${ENCODING_SUFFIX[encoding]}`);
  if (existsSync(cached)) return readFileSync(cached);
  const out =
    encoding === 'br'
      ? await brotliAsync(body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        })
      : await gzipAsync(body, { level: 9 });
  mkdirSync(COMPRESSED_CACHE, { recursive: true });
  writeFileSync(cached, out);
  return out;
}

/** Writes `body` at `path` (under CLIENT_DIST_DIR) with each compressed form that is smaller. */
async function emit(path: string, body: Buffer): Promise<ManifestFile> {
  const file = join(CLIENT_DIST_DIR, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, body);
  const encodings: StoredEncoding[] = [];
  for (const encoding of ['br', 'gzip'] as const) {
    const packed = await compressed(body, encoding);
    if (packed.length < body.length) {
      writeFileSync(`${file}${ENCODING_SUFFIX[encoding]}`, packed);
      encodings.push(encoding);
    }
  }
  const contentType = CONTENT_TYPES[extname(path)];
  if (!contentType) throw new Error(`No content type for ${path}`);
  return { path, contentType, encodings };
}

async function bundle(entry: string, define: Record<string, string>): Promise<OutputFile> {
  const result = await build({
    entryPoints: [join(CLIENT_SRC, entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    outdir: join(CLIENT_DIST_DIR, 'play'),
    entryNames: '[name].[hash]',
    loader: { '.py': 'text' },
    define: Object.fromEntries(Object.entries(define).map(([k, v]) => [k, JSON.stringify(v)])),
    logLevel: 'warning',
  });
  const [file] = result.outputFiles.filter((f) => f.path.endsWith('.js'));
  return file;
}

const urlOf = (file: ManifestFile) => `${PLAYGROUND_STATIC_PREFIX}${file.path}`;

export async function buildPlaygroundAssets(): Promise<AssetManifest> {
  rmSync(CLIENT_DIST_DIR, { recursive: true, force: true });
  const pyodide = PYODIDE_FILES.map((name) => ({
    name,
    body: readFileSync(join(PYODIDE_PACKAGE, name)),
  }));
  const pyodideHash = sha256(pyodide.map((f) => `${f.name}:${sha256(f.body)}\n`).join('')).slice(
    0,
    12,
  );
  const pyodideDir = `pyodide/${pyodideHash}`;
  const files = await Promise.all(pyodide.map((f) => emit(`${pyodideDir}/${f.name}`, f.body)));
  const pyodideIndex = `${PLAYGROUND_STATIC_PREFIX}${pyodideDir}/`;

  // The worker's name carries a hash of its text, which holds Pyodide's directory; the page's
  // holds the worker's name: a change anywhere gives the page a new name.
  const workerOut = await bundle('worker.ts', { PYODIDE_INDEX_URL: pyodideIndex });
  const worker = await emit(`play/${basename(workerOut.path)}`, Buffer.from(workerOut.contents));
  const pageOut = await bundle('page.ts', { PLAYGROUND_WORKER_URL: urlOf(worker) });
  const page = await emit(`play/${basename(pageOut.path)}`, Buffer.from(pageOut.contents));

  const manifest: AssetManifest = {
    page: urlOf(page),
    worker: urlOf(worker),
    pyodideIndex,
    files: [page, worker, ...files],
  };
  writeFileSync(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (require.main === module) {
  const started = performance.now();
  buildPlaygroundAssets().then(
    (manifest) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const where = relative(PROJECT_ROOT, CLIENT_DIST_DIR);
      console.log(`playground assets: ${manifest.files.length} files in ${where}/ (${seconds} s)`);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
