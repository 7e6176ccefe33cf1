/**
 * The playground's module Web Worker: Python (Pyodide, from this site's own files) runs here, so
 * a long or endless program never freezes the page; the page stops it by ending this worker.
 * Displays and printed text are posted to the page as they happen, so animations play live.
 * `from_web` and `post_to_web` talk to this site with synchronous XMLHttpRequest, which a worker
 * may use: the Python code that calls them expects an answer, not a promise.
 */
import type { loadPyodide as LoadPyodide, PyodideInterface } from 'pyodide';
import type { FromWorker, RunAnswer, ToWorker } from './protocol';
import { installPythonFiles } from './python-files';
import { SnapshotStore } from './python-snapshot';

/** `/static/pyodide/<hash>/`, written in by the build (src/playground/build-assets.ts). */
declare const PYODIDE_INDEX_URL: string;

/** The part of a dedicated worker's global scope used here (the project's DOM types are the page's). */
interface WorkerScope {
  location: { origin: string; href: string };
  postMessage(message: FromWorker): void;
  addEventListener(type: 'message', listener: (event: { data: ToWorker }) => void): void;
}
const scope = self as unknown as WorkerScope;
const send = (message: FromWorker) => scope.postMessage(message);

interface HttpAnswer {
  status: number;
  body: string;
}

/** A same-origin request, answered synchronously; a network failure is status 0. */
function request(method: 'GET' | 'POST', path: string, body?: string): HttpAnswer {
  const url = new URL(path, scope.location.origin);
  if (url.origin !== scope.location.origin) {
    return { status: 0, body: `the playground talks to this site only, not ${url.origin}` };
  }
  const xhr = new XMLHttpRequest();
  try {
    xhr.open(method, url.href, false);
    // Sent as the Python client sends it: the JSON text, no Content-Type of its own.
    xhr.send(body ?? null);
    return { status: xhr.status, body: xhr.responseText };
  } catch (err) {
    return { status: 0, body: err instanceof Error ? err.message : String(err) };
  }
}

/** The smallest WebAssembly module there is: compiling it says whether this worker may compile any. */
const EMPTY_WASM_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

function checkWebAssembly(): void {
  if (typeof WebAssembly !== 'object') throw new Error('this browser has no WebAssembly');
  try {
    new WebAssembly.Module(EMPTY_WASM_MODULE);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`WebAssembly is blocked here (${why})`, { cause: err });
  }
}

/**
 * Pyodide downloads its files with fetch, and a failed download of its WebAssembly is only
 * logged: loadPyodide would then wait for ever. Every fetch of the start goes through this, so
 * a failed or refused download ends the start at once, naming the file.
 */
function failOnDownloadError(): Promise<never> {
  const realFetch = globalThis.fetch.bind(globalThis);
  return new Promise<never>((_, reject) => {
    globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      const name = url.slice(url.lastIndexOf('/') + 1);
      try {
        const res = await realFetch(input, init);
        if (!res.ok)
          reject(new Error(`downloading ${name} failed: the site answered ${res.status}`));
        return res;
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        reject(new Error(`downloading ${name} failed (${why})`));
        throw err;
      }
    };
  });
}

interface Versions {
  pythonVersion: (number | string)[];
  ipbVersion: string;
}

interface Started {
  pyodide: PyodideInterface;
  versions: Versions;
  /** A new snapshot to keep for the next start, once the page has been told Python is ready. */
  snapshot: Uint8Array | null;
}

/** The worker's own URL names the snapshot: its hash changes with Pyodide or the Python files. */
const snapshots = new SnapshotStore(`${scope.location.href.split(/[?#]/)[0]}?python-snapshot`);

async function startPython(): Promise<Started> {
  checkWebAssembly();
  const indexURL = new URL(PYODIDE_INDEX_URL, scope.location.origin).href;
  const downloadFailed = failOnDownloadError();
  // A URL only known at run time: esbuild leaves the import to the browser.
  const module = (await import(`${indexURL}pyodide.mjs`)) as { loadPyodide: typeof LoadPyodide };
  // packageBaseUrl: any package Pyodide might look for comes from here too, never from its CDN.
  const load = (options: Parameters<typeof LoadPyodide>[0]) =>
    Promise.race([
      module.loadPyodide({ indexURL, packageBaseUrl: indexURL, ...options }),
      downloadFailed,
    ]);
  const saved = await snapshots.take();
  if (saved) {
    try {
      const pyodide = await load({ _loadSnapshot: saved });
      installPythonFiles(pyodide);
      const versions = prepare(pyodide);
      void snapshots.restored();
      return { pyodide, versions, snapshot: null };
    } catch {
      // Not restorable here: its marker stays, so the next start drops it too; start afresh.
    }
  }
  const pyodide = await load({ _makeSnapshot: true });
  installPythonFiles(pyodide);
  const versions = prepare(pyodide);
  // Before any learner code has run: the snapshot holds a freshly started Python, nothing else.
  // Pyodide refuses one once Python holds JavaScript objects: then there is none to keep.
  let snapshot: Uint8Array | null = null;
  try {
    snapshot = (pyodide as unknown as { makeMemorySnapshot(): Uint8Array }).makeMemorySnapshot();
  } catch {
    // Started all the same, without a snapshot for next time.
  }
  return { pyodide, versions, snapshot };
}

/**
 * Imports what every run uses (so a snapshot holds it compiled), and answers sys.version_info
 * and ipythonblocks.__version__, which a post sends.
 */
function prepare(pyodide: PyodideInterface): Versions {
  const json = pyodide.runPython(`
import json, sys
import ipb_playground
try:
    from ipythonblocks import __version__ as _ipb_version
except Exception:
    _ipb_version = None
json.dumps([list(sys.version_info), _ipb_version])
`) as string;
  const [pythonVersion, ipbVersion] = JSON.parse(json) as [(number | string)[], string | null];
  return { pythonVersion, ipbVersion: ipbVersion ?? '1.10.dev' };
}

function run(pyodide: PyodideInterface, message: Extract<ToWorker, { type: 'run' }>): void {
  const { id } = message;
  const host = {
    event: (json: string) => send({ type: 'event', id, event: JSON.parse(json) as never }),
    stdout: (text: string) => send({ type: 'stdout', id, text }),
    http_get: (path: string) => request('GET', path),
    http_post: (path: string, body: string) => request('POST', path, body),
  };
  const runner = pyodide.pyimport('ipb_playground') as {
    run(code: string, host: object, codeCells: unknown): string;
    destroy(): void;
  };
  const codeCells = message.codeCells
    ? (pyodide.toPy(message.codeCells) as { destroy(): void })
    : null;
  send({ type: 'started', id });
  try {
    const answer = JSON.parse(runner.run(message.code, host, codeCells)) as RunAnswer;
    send({ type: 'done', id, answer });
  } finally {
    codeCells?.destroy();
    runner.destroy();
  }
}

const python = startPython().then(
  ({ pyodide, versions, snapshot }) => {
    send({ type: 'ready', ...versions });
    if (snapshot) void snapshots.keep(snapshot);
    return pyodide;
  },
  (err: unknown) => {
    send({ type: 'loadError', message: err instanceof Error ? err.message : String(err) });
    return null;
  },
);

scope.addEventListener('message', ({ data }) => {
  void python.then((pyodide) => {
    if (!pyodide || data.type !== 'run') return;
    try {
      run(pyodide, data);
    } catch (err) {
      const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      send({ type: 'crashed', id: data.id, message: text });
    }
  });
});
