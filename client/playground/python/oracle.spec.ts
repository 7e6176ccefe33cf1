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

/** A program's outcome; fails the test when the run itself went wrong in JS. */
function outcomeOf(code: string, codeCells?: string[]) {
  const { host, seen } = oracleHost();
  return { ...run(code, host, codeCells), seen };
}

/** Each table cell as `Index: [a, b] (r, g, b) size`, row by row: what a reader of the HTML sees. */
function cellsOf(html: string): string[][] {
  return [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map(([, row]) =>
    [
      ...row.matchAll(
        /<td title="Index: \[([^\]]*)\]&#10;Color: \(([^)]*)\)" style="width: ([^p]*)px; height: \3px;background-color: rgb\(\2\);"><\/td>/g,
      ),
    ].map(([, index, color, size]) => `[${index}] (${color}) ${size}`),
  );
}

function resultHtml(code: string): string {
  const { outcome } = outcomeOf(code);
  expect(outcome.error).toBeNull();
  return (outcome.result as { html: string }).html;
}

/** The colour of every block of the grid in variable `name`, top row first. */
function colorsOf(outcome: Outcome, name = 'grid'): string[][] {
  return outcome.grids[name].grid_data.blocks.map((row) => row.map((b) => b.slice(0, 3).join(',')));
}

describe('indexing, as the library does it', () => {
  it('counts negative indices from the end, and a block remembers the index it was read by', () => {
    const { outcome } = outcomeOf(
      'from ipythonblocks import BlockGrid\ngrid = BlockGrid(4, 3)\n' +
        'grid[-1, -1] = (1, 2, 3)\ngrid[-1] = grid[-1, -1]\ngrid[:, -1] = (4, 5, 6)\n' +
        'block = grid[-2, -3]\nprint(block.row, block.col)',
    );
    expect(outcome.stdout).toBe('-2 -3\n');
    expect(colorsOf(outcome)).toEqual([
      ['0,0,0', '0,0,0', '0,0,0', '4,5,6'],
      ['0,0,0', '0,0,0', '0,0,0', '4,5,6'],
      ['1,2,3', '1,2,3', '1,2,3', '4,5,6'],
    ]);
  });

  it('takes slices with steps, backwards too', () => {
    const { outcome } = outcomeOf(
      'from ipythonblocks import BlockGrid\ngrid = BlockGrid(5, 5)\n' +
        'grid[::2, ::2] = (9, 9, 9)\ngrid[::-1][0, 1] = (7, 7, 7)\ngrid[1:4:2, -1] = (5, 5, 5)',
    );
    expect(colorsOf(outcome)).toEqual([
      ['9,9,9', '0,0,0', '9,9,9', '0,0,0', '9,9,9'],
      ['0,0,0', '0,0,0', '0,0,0', '0,0,0', '5,5,5'],
      ['9,9,9', '0,0,0', '9,9,9', '0,0,0', '9,9,9'],
      ['0,0,0', '0,0,0', '0,0,0', '0,0,0', '5,5,5'],
      ['9,9,9', '7,7,7', '9,9,9', '0,0,0', '9,9,9'],
    ]);
  });

  it('gives views that write through to the grid, and draws a view with its own indices', () => {
    const { outcome } = outcomeOf(
      'from ipythonblocks import BlockGrid\ngrid = BlockGrid(3, 3)\nview = grid[1:, 1:]\n' +
        'view[0, 0] = (50, 60, 70)\nview[1, 1].red = 255\ncorner = grid[2, 2]\nview.show()\n' +
        'print(corner.row, corner.col, view.shape)',
    );
    expect(colorsOf(outcome)).toEqual([
      ['0,0,0', '0,0,0', '0,0,0'],
      ['0,0,0', '50,60,70', '0,0,0'],
      ['0,0,0', '0,0,0', '255,0,0'],
    ]);
    expect(cellsOf((outcome.events[0] as { html: string }).html)).toEqual([
      ['[0, 0] (50, 60, 70) 20', '[0, 1] (0, 0, 0) 20'],
      ['[1, 0] (0, 0, 0) 20', '[1, 1] (255, 0, 0) 20'],
    ]);
    // Drawing the view told its blocks their place in the view, as in the library.
    expect(outcome.stdout).toBe('1 1 (2, 2)\n');
    expect(Object.keys(outcome.grids)).toEqual(['grid', 'view']);
  });

  it('reads an ImageGrid from the lower left by default, and draws its top row first', () => {
    const { outcome } = outcomeOf(
      'from ipythonblocks import ImageGrid\nimg = ImageGrid(3, 2)\nimg[0, 0] = (1, 1, 1)\n' +
        'img[-1, -1] = (2, 2, 2)\npart = img[1:3, 0:1]\npart[0, 0] = (3, 3, 3)\n' +
        'print(part.origin, part.shape)\nimg',
    );
    expect(outcome.stdout).toBe('lower-left (2, 1)\n');
    expect(colorsOf(outcome, 'img')).toEqual([
      ['0,0,0', '0,0,0', '2,2,2'],
      ['1,1,1', '3,3,3', '0,0,0'],
    ]);
    expect(cellsOf((outcome.result as { html: string }).html)).toEqual([
      ['[0, 1] (0, 0, 0) 20', '[1, 1] (0, 0, 0) 20', '[2, 1] (2, 2, 2) 20'],
      ['[0, 0] (1, 1, 1) 20', '[1, 0] (3, 3, 3) 20', '[2, 0] (0, 0, 0) 20'],
    ]);
  });

  it("reads an upper-left ImageGrid from the top, and its areas get the default origin (the library's quirk)", () => {
    const { outcome } = outcomeOf(
      "from ipythonblocks import ImageGrid\nimg = ImageGrid(5, 4, origin='upper-left')\n" +
        'img[0, 0] = (1, 1, 1)\npart = img[1:3, 0:2]\npart[0, 0] = (9, 9, 9)\nprint(part.origin)',
    );
    expect(outcome.stdout).toBe('lower-left\n');
    // part[0, 0] is the part's lower left: img[1, 1].
    expect(colorsOf(outcome, 'img').slice(0, 2)).toEqual([
      ['1,1,1', '0,0,0', '0,0,0', '0,0,0', '0,0,0'],
      ['0,0,0', '9,9,9', '0,0,0', '0,0,0', '0,0,0'],
    ]);
  });

  it('walks a BlockGrid row by row and an ImageGrid column by column from y = 0', () => {
    const { outcome } = outcomeOf(
      'from ipythonblocks import BlockGrid, ImageGrid\n' +
        'print([(b.row, b.col) for b in BlockGrid(3, 2)])\n' +
        'print([(p.x, p.y) for p in ImageGrid(3, 2)])\n' +
        "print([(p.x, p.y) for p in ImageGrid(2, 2, origin='upper-left')])",
    );
    expect(outcome.stdout).toBe(
      '[(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]\n' +
        '[(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]\n' +
        '[(0, 0), (0, 1), (1, 0), (1, 1)]\n',
    );
  });

  it.each([
    ['grid[1, 2, 3]', 'IndexError', 'Invalid index, too many dimensions.'],
    ['grid[(1,)]', 'TypeError', 'Single indices must be integers, not tuple.'],
    ["grid['a']", 'IndexError', 'Invalid index.'],
    ['grid[0, 1.5]', 'TypeError', 'list indices must be integers or slices, not float'],
    ['grid[5:9]', 'IndexError', 'list index out of range'],
    ['img[1]', 'IndexError', 'ImageGrid only supports 2D indexing.'],
    ['img[0, 3]', 'IndexError', 'list index out of range'],
    [
      'img.block_size = 5',
      'AttributeError',
      "property 'block_size' of 'ImageGrid' object has no setter",
    ],
    [
      "ImageGrid(2, 2, origin='middle')",
      'ValueError',
      "origin keyword must be one of {'lower-left', 'upper-left'}.",
    ],
    ['grid.lines_on = 2', 'ValueError', 'lines_on may only be True or False.'],
    ['hash(grid)', 'TypeError', "unhashable type: 'BlockGrid'"],
  ])('%s fails as in the library: %s', (line, type, message) => {
    const { outcome } = outcomeOf(
      `from ipythonblocks import BlockGrid, ImageGrid\ngrid = BlockGrid(3, 3)\nimg = ImageGrid(3, 3)\n${line}`,
    );
    expect(outcome.error).toEqual({ type, message });
  });
});

describe('colours and blocks', () => {
  it('clamps colours to 0-255 and rounds halves to even', () => {
    const { outcome } = outcomeOf(
      'from ipythonblocks import BlockGrid\ngrid = BlockGrid(4, 1)\ngrid[0, 0] = (1.5, 2.5, 3.5)\n' +
        "grid[0, 1] = (-5, 1e9, 254.5)\ngrid[0, 2] = (0.5, 0.49, float('nan'))\n" +
        "grid[0, 3] = [True, 1.4999, float('inf')]",
    );
    expect(colorsOf(outcome)).toEqual([['2,2,4', '0,255,254', '0,0,0', '1,1,255']]);
  });

  it.each([
    ["grid[0, 0] = ('a', 1, 2)", 'InvalidColorSpec', 'value must be a number. got a.'],
    ['grid[0, 0].red = None', 'InvalidColorSpec', 'value must be a number. got None.'],
    [
      "grid[0, 0] = 'blue'",
      'ValueError',
      "Value must be a Block or a sequence of 3 integers. Got 'blue'.",
    ],
    [
      'grid[0, 0].rgb = (1, 2)',
      'ValueError',
      'Setting colors requires three values: (red, green, blue).',
    ],
    [
      'grid[0:1, 0:2] = BlockGrid(1, 1)',
      'ShapeMismatch',
      'Both sides of grid assignment must have the same shape.',
    ],
    ['grid[0, 0] = BlockGrid(1, 1)', 'TypeError', 'Cannot assign grid to single block.'],
  ])('%s fails as in the library: %s', (line, type, message) => {
    const { outcome } = outcomeOf(
      `from ipythonblocks import BlockGrid\ngrid = BlockGrid(2, 2)\n${line}`,
    );
    expect(outcome.error).toEqual({ type, message });
  });

  it('lets a program catch InvalidColorSpec and ShapeMismatch by name', () => {
    const { outcome } = outcomeOf(
      'from ipythonblocks import BlockGrid, InvalidColorSpec, ShapeMismatch\ngrid = BlockGrid(2, 2)\n' +
        "try:\n    grid[0, 0] = ('x', 0, 0)\nexcept InvalidColorSpec as e:\n    print('colour:', e)\n" +
        'try:\n    grid[0] = BlockGrid(1, 1)\nexcept ShapeMismatch as e:\n    print(type(e).__name__)',
    );
    expect(outcome.stdout).toBe('colour: value must be a number. got x.\nShapeMismatch\n');
  });

  it('compares blocks by colour and size, grids by their blocks', () => {
    const { outcome } = outcomeOf(
      'from ipythonblocks import Block, BlockGrid, ImageGrid\nb = Block(1, 2, 3)\n' +
        'print(b == Block(1, 2, 3), b == Block(1, 2, 3, size=5), b == (1, 2, 3), b != Block(3, 2, 1))\n' +
        'print(BlockGrid(2, 2) == ImageGrid(2, 2), BlockGrid(2, 2) == BlockGrid(2, 2, block_size=3))',
    );
    expect(outcome.stdout).toBe('True False False True\nTrue False\n');
  });

  it('ignores a number or None assigned to a block, as the library does', () => {
    const { outcome } = outcomeOf(
      'from ipythonblocks import BlockGrid\ngrid = BlockGrid(2, 1)\ngrid[0, 0] = 5\ngrid[0, 1] = None',
    );
    expect(outcome.error).toBeNull();
    expect(colorsOf(outcome)).toEqual([['0,0,0', '0,0,0']]);
  });

  it('draws a lone block without lines, and keeps a block size as given (at least 1)', () => {
    expect(
      cellsOf(
        resultHtml(
          'from ipythonblocks import BlockGrid\ngrid = BlockGrid(2, 1, block_size=0)\ngrid[0, 1].size = 2.5\ngrid',
        ),
      ),
    ).toEqual([['[0, 0] (0, 0, 0) 1', '[0, 1] (0, 0, 0) 2.5']]);
    expect(resultHtml('from ipythonblocks import Block\nBlock(1, 2, 3)')).toContain(
      'td {border: 0px solid white;}',
    );
  });
});

describe('what the browser cannot do', () => {
  it.each([
    ['grid.show_image()', 'show_image()'],
    ["grid.save_image('grid.png')", 'save_image()'],
    ['embed_colorpicker()', 'embed_colorpicker()'],
  ])('%s raises NotImplementedError naming it', (line, name) => {
    const { outcome } = outcomeOf(
      `from ipythonblocks import BlockGrid, embed_colorpicker\ngrid = BlockGrid(2, 2)\n${line}`,
    );
    expect(outcome.error?.type).toBe('NotImplementedError');
    expect(outcome.error?.message).toMatch(
      new RegExp(`^${name.replace(/[()]/g, '\\$&')} is not available in the browser playground: `),
    );
    expect(outcome.events).toEqual([]);
  });
});

describe('the runner: a program runs as a notebook cell', () => {
  it.each([
    ["'text'", { text: "'text'" }],
    ['6 * 7', { text: '42' }],
    ['[1, 2, 3]', { text: '[1, 2, 3]' }],
    ['None', null],
    ['print("hi")', null],
    ['BlockGrid', { text: "<class 'ipythonblocks.ipythonblocks.BlockGrid'>" }],
    ['grid;', null],
    ['grid ; # a comment', null],
    ['x = 5', null],
  ])('shows the value of a last line %s as Jupyter does', (line, result) => {
    const { outcome } = outcomeOf(
      `from ipythonblocks import BlockGrid\ngrid = BlockGrid(1, 1)\n${line}`,
    );
    expect(outcome.error).toBeNull();
    expect(outcome.result).toEqual(result);
  });

  it('shows only the last statement, and only when it is an expression', () => {
    const { outcome } = outcomeOf('1\n2\nif True:\n    3');
    expect(outcome.result).toBeNull();
  });

  it('names the line of the learner code an error came from, inside a loop and a function', () => {
    const inLoop = outcomeOf(
      'from ipythonblocks import BlockGrid\ngrid = BlockGrid(3, 3)\nfor i in range(5):\n' +
        '    grid[i, i] = (255, 0, 0)\n',
    );
    expect(inLoop.outcome.error).toEqual({
      type: 'IndexError',
      message: 'list index out of range',
    });
    expect(inLoop.error_line).toBe(4);
    // Only the learner's frames: nothing of the library or the runner.
    expect(inLoop.traceback).toBe(
      'Traceback (most recent call last):\n' +
        '  File "<playground>", line 4, in <module>\n' +
        '    grid[i, i] = (255, 0, 0)\n' +
        '    ~~~~^^^^^^\n' +
        'IndexError: list index out of range\n',
    );
    // What ran before the error stays done.
    expect(inLoop.outcome.grids.grid.grid_data.blocks[2][2].slice(0, 3)).toEqual([255, 0, 0]);

    const inFunction = outcomeOf(
      'def paint(n):\n    return n / 0\n\nfor i in range(3):\n    paint(i)',
    );
    expect(inFunction.error_line).toBe(2);
    expect(inFunction.traceback).toContain('line 5, in <module>');
    expect(inFunction.traceback).toContain('line 2, in paint');
  });

  it('reports a syntax error with its line, before anything runs', () => {
    const { outcome, error_line, traceback } = outcomeOf('print("never")\ngrid = (1, 2\n');
    expect(outcome.error?.type).toBe('SyntaxError');
    expect(outcome.stdout).toBe('');
    expect(error_line).toBe(2);
    expect(traceback).toContain('File "<playground>", line 2');
  });

  it('reports exit() and KeyboardInterrupt as the end of the program, not a crash', () => {
    expect(outcomeOf('import sys\nsys.exit(3)').outcome.error).toEqual({
      type: 'SystemExit',
      message: '3',
    });
    expect(outcomeOf('raise KeyboardInterrupt').outcome.error).toEqual({
      type: 'KeyboardInterrupt',
      message: '',
    });
  });

  it('starts every run afresh: variables, module state and patched classes do not leak', () => {
    const first = outcomeOf(
      'from ipythonblocks import BlockGrid, colors\nsecret_number = 5\ncolors["Mine"] = (1, 2, 3)\n' +
        'BlockGrid.extra = 1\nimport ipythonblocks\nipythonblocks.__version__ = "changed"',
    );
    expect(first.outcome.error).toBeNull();
    const second = outcomeOf(
      'from ipythonblocks import BlockGrid, colors, __version__\n' +
        "print('secret_number' in dir(), 'Mine' in colors, hasattr(BlockGrid, 'extra'), __version__)",
    );
    expect(second.outcome.stdout).toBe('False False False 1.10.dev\n');
  });

  it('lists every top-level grid in the order the program made them, views too', () => {
    const { outcome } = outcomeOf(
      'from ipythonblocks import BlockGrid, ImageGrid\nzebra = ImageGrid(1, 2)\nalpha = BlockGrid(2, 1)\n' +
        'row = alpha[0]\nnumber = 3\nblock = alpha[0, 0]\ngrids = [alpha]',
    );
    expect(Object.keys(outcome.grids)).toEqual(['zebra', 'alpha', 'row']);
    expect(outcome.grids.zebra).toEqual({
      ipb_class: 'ImageGrid',
      grid_data: {
        lines_on: true,
        width: 1,
        height: 2,
        blocks: [[[0, 0, 0, 20]], [[0, 0, 0, 20]]],
      },
    });
  });

  it('has display() without an import, as Jupyter does, and shows an object without HTML as text', () => {
    const { outcome } = outcomeOf(
      'from ipythonblocks import BlockGrid\ndisplay(5, "a")\nfrom IPython.display import HTML\n' +
        'display(HTML("<b>bold</b>"))',
    );
    expect(outcome.events).toEqual([
      { kind: 'text', text: '5' },
      { kind: 'text', text: "'a'" },
      { kind: 'html', html: '<b>bold</b>' },
    ]);
  });

  it('tells the host what is printed and shown in the order it happens, a line at a time', () => {
    const calls: string[] = [];
    const { host } = oracleHost();
    const logging = {
      ...host,
      stdout: (text: string) => void calls.push(`stdout ${JSON.stringify(text)}`),
      event: (json: string) =>
        void calls.push(`event ${(JSON.parse(json) as { kind: string }).kind}`),
    };
    run(
      'from ipythonblocks import BlockGrid\nprint("a", end="")\nprint("b")\nBlockGrid(1, 1).flash()\n' +
        'print("c", end="")',
      logging,
    );
    expect(calls).toEqual(['stdout "ab\\n"', 'event html', 'event clear', 'stdout "c"']);
  });

  it("sends time.sleep to the host's sleep: flash's, animate's and the program's own", () => {
    const { outcome, seen } = outcomeOf(
      'import time\nfrom ipythonblocks import BlockGrid\ngrid = BlockGrid(2, 1)\ngrid.flash()\n' +
        'grid.flash(display_time=0.5)\nfor block in grid.animate(stop_time=0.25):\n    time.sleep(1)\n' +
        'from time import sleep\nsleep(2)\ntime.sleep(-1)',
    );
    expect(seen.sleeps).toEqual([0.2, 0.5, 0.25, 1, 0.25, 1, 2]);
    expect(outcome.error).toEqual({
      type: 'ValueError',
      message: 'sleep length must be non-negative',
    });
  });

  it('says input() cannot work here', () => {
    const { outcome } = outcomeOf('size = int(input("How big? "))');
    expect(outcome.error?.type).toBe('NotImplementedError');
    expect(outcome.error?.message).toMatch(
      /^input\(\) is not available in the browser playground: /,
    );
  });

  it('takes null from JS for code_cells, as None', () => {
    const { host } = oracleHost();
    const runner = pyodide.pyimport('ipb_playground') as {
      run: (code: string, host: object, codeCells: null) => string;
    };
    const code = 'from ipythonblocks import BlockGrid\nBlockGrid(1, 1).post_to_web()';
    const answer = JSON.parse(runner.run(code, host, null)) as RunAnswer;
    expect(answer.outcome.posts[0].code_cells).toBeNull();
  });

  it('without a host sleep, really waits', () => {
    const { host } = oracleHost();
    const withoutSleep: Partial<typeof host> = { ...host };
    delete withoutSleep.sleep;
    const started = Date.now();
    const { outcome } = run('import time\ntime.sleep(0.2)', withoutSleep);
    expect(outcome.error).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});

describe('the grid on screen (last_grid, what the Post button posts)', () => {
  it.each([
    ['grid', 'the last expression', 'grid'],
    ['grid.show()', 'show()', 'grid'],
    ['grid[0:1].show()', 'a view shown', 'view'],
    ['display(grid)', 'display()', 'grid'],
    ['grid.flash()', 'flash() (its clear waits for the next display)', 'grid'],
    ['for b in grid.animate(): pass', 'animate()', 'grid'],
    ['grid.show()\nother.show()\ngrid[0, 0].show()', 'the last grid shown, not a block', 'other'],
    ['grid.show()\nclear()', 'nothing after clear()', null],
    ['print(grid)', 'nothing when no grid was displayed', null],
  ])('%s: %s', (line, _what, which) => {
    const { last_grid } = outcomeOf(
      'from ipythonblocks import BlockGrid, clear\ngrid = BlockGrid(2, 2, fill=(1, 1, 1))\n' +
        `other = BlockGrid(1, 1, fill=(2, 2, 2))\n${line}`,
    );
    const expected: Record<string, GridData> = {
      grid: {
        lines_on: true,
        width: 2,
        height: 2,
        blocks: [
          [
            [1, 1, 1, 20],
            [1, 1, 1, 20],
          ],
          [
            [1, 1, 1, 20],
            [1, 1, 1, 20],
          ],
        ],
      },
      view: {
        lines_on: true,
        width: 2,
        height: 1,
        blocks: [
          [
            [1, 1, 1, 20],
            [1, 1, 1, 20],
          ],
        ],
      },
      other: { lines_on: true, width: 1, height: 1, blocks: [[[2, 2, 2, 20]]] },
    };
    expect(last_grid).toEqual(
      which === null ? null : { ipb_class: 'BlockGrid', grid_data: expected[which] },
    );
  });

  it('is the grid as the program left it', () => {
    const { last_grid } = outcomeOf(
      'from ipythonblocks import ImageGrid\nimg = ImageGrid(1, 1)\nimg.show()\nimg[0, 0] = (9, 9, 9)',
    );
    expect(last_grid).toEqual({
      ipb_class: 'ImageGrid',
      grid_data: { lines_on: true, width: 1, height: 1, blocks: [[[9, 9, 9, 20]]] },
    });
  });
});

describe('the site: from_web and post_to_web through the host', () => {
  it('posts the editor code as the code cell when the page passes it, the body as the library builds it', () => {
    const code =
      'from ipythonblocks import ImageGrid\nimg = ImageGrid(1, 1)\nprint(img.post_to_web(secret=True))';
    const { outcome, seen } = outcomeOf(code, [code]);
    expect(outcome.stdout).toBe('http://www.ipythonblocks.org/posted1\n');
    expect(seen.posts).toHaveLength(1);
    expect(seen.posts[0].path).toBe('/post');
    const body = JSON.parse(seen.posts[0].body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'python_version',
      'ipb_version',
      'ipb_class',
      'code_cells',
      'secret',
      'grid_data',
    ]);
    expect(body.python_version).toEqual([3, 14, expect.any(Number), 'final', 0]);
    const rest = { ...body };
    delete rest.python_version;
    expect(outcome.posts).toEqual([rest]);
    expect(rest).toEqual({
      ipb_version: '1.10.dev',
      ipb_class: 'ImageGrid',
      code_cells: [code],
      secret: true,
      grid_data: { lines_on: true, width: 1, height: 1, blocks: [[[0, 0, 0, 20]]] },
    });
  });

  it('outside a notebook, asking for code cells fails as the library does there', () => {
    const { outcome } = outcomeOf(
      'from ipythonblocks import BlockGrid\nBlockGrid(1, 1).post_to_web(code_cells=1)',
    );
    expect(outcome.error).toEqual({
      type: 'NameError',
      message: "name 'get_ipython' is not defined",
    });
  });

  it('reads public and secret grids from /get, keeping their block sizes', () => {
    const { outcome, seen } = outcomeOf(
      "from ipythonblocks import BlockGrid, ImageGrid\na = BlockGrid.from_web('bizkiL')\n" +
        "b = ImageGrid.from_web('MiXoi4', secret=True, origin='upper-left')\nprint(b.origin, b[0, 1].rgb)",
    );
    expect(seen.gets).toEqual(['/get/bizkiL', '/get/secret/MiXoi4']);
    expect(outcome.stdout).toBe('upper-left (7, 8, 9)\n');
    expect(outcome.grids.a.grid_data).toEqual(oracle.about.canned_gets.bizkiL);
  });

  it("turns the site's error answers into HTTPError with the site's message", () => {
    const missing = outcomeOf("from ipythonblocks import BlockGrid\nBlockGrid.from_web('nope')");
    expect(missing.outcome.error).toEqual({
      type: 'HTTPError',
      message: '404 Client Error: Not Found for url: /get/nope (No grid at /get/nope)',
    });

    const { host } = oracleHost({
      http_post: () => ({
        status: 400,
        body: JSON.stringify({
          statusCode: 400,
          message: 'Invalid grid post: secret: must be a boolean',
        }),
      }),
    });
    const refused = run(
      "from ipythonblocks import BlockGrid\nBlockGrid(1, 1).post_to_web(secret='yes')",
      host,
    );
    expect(refused.outcome.error).toEqual({
      type: 'HTTPError',
      message:
        '400 Client Error: Bad Request for url: /post (Invalid grid post: secret: must be a boolean)',
    });
  });

  it('says so when the site cannot be reached', () => {
    const { host } = oracleHost({
      http_get: () => {
        throw new Error('network down');
      },
    });
    const { outcome } = run(
      "from ipythonblocks import BlockGrid\nBlockGrid.from_web('bizkiL')",
      host,
    );
    expect(outcome.error?.type).toBe('ConnectionError');
    expect(outcome.error?.message).toContain('/get/bizkiL');
  });

  it('fails from_web with ShapeMismatch when the blocks do not fit the size', () => {
    const { host } = oracleHost({
      http_get: () => ({
        status: 200,
        body: JSON.stringify({ width: 2, height: 2, lines_on: true, blocks: [[[1, 2, 3, 20]]] }),
      }),
    });
    const { outcome } = run("from ipythonblocks import BlockGrid\nBlockGrid.from_web('x')", host);
    expect(outcome.error).toEqual({
      type: 'ShapeMismatch',
      message: 'block_data must have same shape as grid.',
    });
  });
});
