import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PyodideInterface } from 'pyodide';
import { installPythonFiles } from '../python-files';

/**
 * Our ipythonblocks under Pyodide in Node (the same interpreter and the same .py text the browser
 * worker gets), held byte for byte to what the real ipythonblocks 1.10.dev produced under CPython
 * for the oracle's programs, then to the real library's behaviour where the oracle says nothing.
 */

interface Outcome {
  stdout: string;
  events: ({ kind: 'html'; html: string } | { kind: 'clear'; wait: boolean })[];
  result: { html: string } | { text: string } | null;
  posts: Record<string, unknown>[];
  grids: Record<string, { ipb_class: string; grid_data: GridData }>;
  error: { type: string; message: string } | null;
}

interface GridData {
  lines_on: boolean | number;
  width: number;
  height: number;
  blocks: number[][][];
}

interface RunAnswer {
  outcome: Outcome;
  traceback: string | null;
  error_line: number | null;
  last_grid: { ipb_class: string; grid_data: GridData } | null;
}

interface OracleCase {
  name: string;
  code: string;
  expected: Outcome;
}

const oracle = JSON.parse(
  readFileSync(
    join(__dirname, '..', '..', '..', 'test', 'fixtures', 'playground-oracle.json'),
    'utf8',
  ),
) as { about: { canned_gets: Record<string, GridData> }; cases: OracleCase[] };

/** What the host saw while a program ran, as it happened. */
interface Seen {
  events: unknown[];
  stdout: string;
  sleeps: number[];
  gets: string[];
  posts: { path: string; body: string }[];
}

/**
 * A host like the worker's, answering from the oracle's canned grids, posting nowhere: `/post`
 * answers the way the oracle's stub server did (`posted1`, `posted2`, ...), and `sleep` returns
 * at once, as `time.sleep` did when the oracle ran.
 */
function oracleHost(overrides: Partial<Record<'http_get' | 'http_post', unknown>> = {}) {
  const seen: Seen = { events: [], stdout: '', sleeps: [], gets: [], posts: [] };
  const host = {
    event: (json: string) => void seen.events.push(JSON.parse(json)),
    stdout: (text: string) => void (seen.stdout += text),
    sleep: (seconds: number) => void seen.sleeps.push(seconds),
    http_get: (path: string) => {
      seen.gets.push(path);
      const grid = oracle.about.canned_gets[path.replace(/^\/get\//, '')];
      return grid
        ? { status: 200, body: JSON.stringify(grid) }
        : { status: 404, body: JSON.stringify({ statusCode: 404, message: `No grid at ${path}` }) };
    },
    http_post: (path: string, body: string) => {
      seen.posts.push({ path, body });
      const url = `http://www.ipythonblocks.org/posted${seen.posts.length}`;
      return { status: 200, body: JSON.stringify({ url }) };
    },
    ...overrides,
  };
  return { host, seen };
}

const TABLE_ID = /blocks[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g;

/** The fixture writes each table's random id `blocks{id}`. */
function normaliseIds(html: string): string {
  return html.replace(TABLE_ID, 'blocks{id}');
}

function normaliseOutcome(outcome: Outcome): Outcome {
  return {
    ...outcome,
    events: outcome.events.map((e) =>
      e.kind === 'html' ? { ...e, html: normaliseIds(e.html) } : e,
    ),
    result:
      outcome.result && 'html' in outcome.result
        ? { html: normaliseIds(outcome.result.html) }
        : outcome.result,
  };
}

let pyodide: PyodideInterface;

beforeAll(async () => {
  // Through Node's own loader, not jest's module registry (which also stands in for
  // `require('node:module')`): Pyodide starts with dynamic import(), which jest's sandbox refuses
  // without --experimental-vm-modules.
  const { createRequire } = process.getBuiltinModule('node:module');
  const nodeRequire = createRequire(__filename);
  const { loadPyodide } = nodeRequire('pyodide') as typeof import('pyodide');
  pyodide = await loadPyodide({ indexURL: dirname(nodeRequire.resolve('pyodide')) });
  installPythonFiles(pyodide);
}, 60_000);

function run(code: string, host: object, codeCells?: string[]): RunAnswer {
  const runner = pyodide.pyimport('ipb_playground') as {
    run: (code: string, host: object, codeCells?: string[]) => string;
  };
  return JSON.parse(
    codeCells === undefined ? runner.run(code, host) : runner.run(code, host, codeCells),
  ) as RunAnswer;
}

describe('the oracle: what the real ipythonblocks produced', () => {
  it.each(oracle.cases.map((c) => [c.name, c] as const))('%s', (_name, oracleCase) => {
    const { host, seen } = oracleHost();
    const answer = run(oracleCase.code, host);

    expect(normaliseOutcome(answer.outcome)).toEqual(oracleCase.expected);
    // What the host was told as it happened is what the outcome lists.
    expect(seen.events).toEqual(answer.outcome.events);
    expect(seen.stdout).toBe(answer.outcome.stdout);
  });

  it('gives each table an id of its own, the same in its style and its table', () => {
    const { host } = oracleHost();
    const { outcome } = run(oracle.cases.find((c) => c.name === 'flash_frames')!.code, host);
    const ids = outcome.events.flatMap((e) => (e.kind === 'html' ? [e.html.match(TABLE_ID)] : []));

    for (const pair of ids) expect(pair).toHaveLength(2);
    for (const pair of ids) expect(pair![0]).toBe(pair![1]);
    expect(new Set(ids.map((pair) => pair![0])).size).toBe(ids.length);
  });
});
