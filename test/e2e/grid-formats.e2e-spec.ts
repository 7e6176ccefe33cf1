import Ajv from 'ajv-draft-04';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { GridIds } from '../../src/grid-storage/grid-ids';
import { GridsRepository } from '../../src/grid-storage/grids.repository';
import { blocks, clientBody, type ClientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { expectPixel } from '../support/png';
import { expectSvgGrammar, rasterize } from '../support/svg';
import { useTestApp } from '../support/test-app';
import { GRID_CACHE_CONTROL } from '../../src/grid-pages/immutable-answer';

interface Notebook {
  nbformat: number;
  cells: { cell_type: string; source: string[]; outputs?: unknown[]; execution_count?: null }[];
}

const schema = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'nbformat.v4.schema.json'), 'utf8'),
) as object;
const validateNotebook = new Ajv({ strict: false, allErrors: true }).compile(schema);

function expectValidNotebook(notebook: unknown): asserts notebook is Notebook {
  validateNotebook(notebook);
  expect(validateNotebook.errors ?? []).toEqual([]);
}

/** A Python that has Jupyter's nbformat (Debian's python3-nbformat), if this machine has one. */
const nbformatPython = ['/usr/bin/python3', 'python3'].find(
  (python) => spawnSync(python, ['-c', 'import nbformat']).status === 0,
);

const sourceOf = (cell: Notebook['cells'][number]) => cell.source.join('');

describe('grid formats: the notebook and the SVG', () => {
  const t = useTestApp();

  const get = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(`${t.baseUrl}${path}`, { headers });

  /** Posts a grid as the client does; its page's path. */
  async function post(body: ClientBody): Promise<string> {
    const res = await clientPost(t.baseUrl, JSON.stringify(body));
    expect(res.status).toBe(200);
    return new URL(res.json<{ url: string }>().url).pathname;
  }

  /** A grid imported from old data, as the legacy import stores it; its hash id. */
  async function insertLegacy(gridData: unknown, codeCells: unknown = null): Promise<string> {
    const [row] = await t.dataSource.query<{ id: number }[]>(
      `INSERT INTO public_grids (ipb_version, python_version, grid_data, code_cells, ipb_class, secret)
       VALUES ('0.6', '"2.7.6"', $1, $2, 'BlockGrid', false) RETURNING id`,
      [JSON.stringify(gridData), codeCells === null ? null : JSON.stringify(codeCells)],
    );
    return t.app.get(GridIds).encode('public', row.id);
  }

  describe('/<id>.ipynb', () => {
    it('downloads a valid nbformat 4 notebook: a link to the page, the code cells in order, then from_web', async () => {
      const cells = ['grid = BlockGrid(3, 2)', 'for block in grid:\n    block.red = 255\n', 'grid'];
      const path = await post(clientBody({ code_cells: cells }));
      const hashId = path.slice(1);
      const res = await get(`${path}.ipynb`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-ipynb+json');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="ipythonblocks-${hashId}.ipynb"`,
      );
      const notebook = res.json();
      expectValidNotebook(notebook);
      expect(notebook.nbformat).toBe(4);
      expect(notebook.cells.map((c) => c.cell_type)).toEqual([
        'markdown',
        'code',
        'code',
        'code',
        'code',
      ]);
      expect(sourceOf(notebook.cells[0])).toContain(`](${t.baseUrl}${path})`);
      expect(notebook.cells.slice(1, 4).map(sourceOf)).toEqual(cells);
      expect(sourceOf(notebook.cells[4])).toBe(
        `from ipythonblocks import BlockGrid\n\ngrid = BlockGrid.from_web('${hashId}')\ngrid`,
      );
      for (const cell of notebook.cells.slice(1)) {
        expect(cell).toMatchObject({ outputs: [], execution_count: null });
      }
    });

    it('loads a secret grid with secret=True and links its secret page', async () => {
      const path = await post(clientBody({ secret: true }));
      const hashId = path.split('/').pop()!;
      const res = await get(`${path}.ipynb`);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="ipythonblocks-secret-${hashId}.ipynb"`,
      );
      const notebook = res.json();
      expectValidNotebook(notebook);
      expect(sourceOf(notebook.cells[0])).toContain(`](${t.baseUrl}/secret/${hashId})`);
      expect(sourceOf(notebook.cells.at(-1)!)).toContain(
        `grid = BlockGrid.from_web('${hashId}', secret=True)\ngrid`,
      );
    });

    it('is the link and the from_web cell alone for a grid posted without code cells', async () => {
      const path = await post(clientBody({ code_cells: null }));
      const notebook = (await get(`${path}.ipynb`)).json();
      expectValidNotebook(notebook);
      expect(notebook.cells.map((c) => c.cell_type)).toEqual(['markdown', 'code']);
      expect(sourceOf(notebook.cells[1])).toContain(`BlockGrid.from_web('${path.slice(1)}')`);
    });

    it('keeps unicode and hostile code cells as posted, and its markdown holds no markup', async () => {
      const cells = [
        '</script><script>alert(1)</script>',
        '{{body}} {{{body}}} {{> partial}}',
        'print("héllo wörld ✓ 🎨 中文 \u2028 \u2029")\n\n\n',
        '"""\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n"""\r\nend',
      ];
      const path = await post(clientBody({ code_cells: cells }));
      const res = await get(`${path}.ipynb`);
      const notebook = res.json();
      expectValidNotebook(notebook);
      expect(notebook.cells.slice(1, -1).map(sourceOf)).toEqual(cells);
      const markdown = sourceOf(notebook.cells[0]);
      expect(markdown).not.toMatch(/[<>]|script|javascript|\{\{/);
    });

    it('never gets a NUL: a post with one is refused, naming the cell', async () => {
      const res = await clientPost(
        t.baseUrl,
        JSON.stringify(clientBody({ code_cells: ['ok', 'bad\u0000cell'] })),
      );
      expect(res.status).toBe(400);
      expect(res.text).toContain('code_cells[1]');
    });

    it.each([false, true])(
      'round trip (secret %s): the grid from_web reads is the grid that was posted',
      async (secret) => {
        const body = clientBody({ secret }, 7, 5);
        const path = await post(body);
        const notebook = (await get(`${path}.ipynb`)).json<Notebook>();
        const call = /BlockGrid\.from_web\('(\w+)'(, secret=True)?\)/.exec(
          sourceOf(notebook.cells.at(-1)!),
        );
        expect(call).not.toBeNull();
        expect(Boolean(call![2])).toBe(secret);
        // What the client's from_web requests: /get/<id>, or /get/secret/<id>.
        const got = await get(`/get/${secret ? 'secret/' : ''}${call![1]}`);
        expect(got.status).toBe(200);
        expect(got.json()).toEqual(body.grid_data);
      },
    );

    (nbformatPython ? it : it.skip)('is read and validated by Jupyter’s own nbformat', async () => {
      const path = await post(clientBody({ code_cells: ['x = "</script> 🎨"', 'grid'] }));
      const res = await get(`${path}.ipynb`);
      const check = spawnSync(
        nbformatPython!,
        [
          '-c',
          'import sys, nbformat\n' +
            'nb = nbformat.reads(sys.stdin.read(), as_version=4)\n' +
            'nbformat.validate(nb)\n' +
            'print(len(nb.cells), nb.cells[1].source)',
        ],
        { input: res.body, encoding: 'utf8' },
      );
      expect(check.stderr).toBe('');
      expect(check.stdout).toBe('4 x = "</script> 🎨"\n');
    });

    it.each([
      ['an unknown id', '/zzzzzz.ipynb'],
      ['a secret id on the public route', '/MiXoi4.ipynb'],
      ['a public id on the secret route', '/secret/bizkiL.ipynb'],
    ])('answers 404 for %s', async (_case, path) => {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.headers['content-disposition']).toBeUndefined();
    });

    it('is kept and ETagged: the same bytes, and 304 to a conditional request', async () => {
      const path = await post(clientBody());
      const first = await get(`${path}.ipynb`);
      expect(first.headers.etag).toMatch(/^"[\w-]+"$/);
      const again = await get(`${path}.ipynb`);
      expect(again.body.equals(first.body)).toBe(true);
      expect(again.headers.etag).toBe(first.headers.etag);
      const conditional = await get(`${path}.ipynb`, {
        'If-None-Match': first.headers.etag as string,
      });
      expect(conditional.status).toBe(304);
    });
  });

  describe('/<id>.svg', () => {
    it('draws every block of the grid in its colour, served as an image no script can run in', async () => {
      const body = clientBody({}, 30, 20);
      body.grid_data.blocks = blocks(30, 20, 10);
      const path = await post(body);
      const res = await get(`${path}.svg`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/svg+xml');
      expect(res.headers['cache-control']).toBe(GRID_CACHE_CONTROL);
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).not.toMatch(/script-src/);
      expectSvgGrammar(res.text);

      const image = await rasterize(res.text);
      // Lines on: 1 + 30 * (10 + 1) across, 1 + 20 * 11 down.
      expect([image.width, image.height]).toEqual([331, 221]);
      (body.grid_data.blocks as number[][][]).forEach((row, r) =>
        row.forEach((block, c) => {
          expectPixel(image, 1 + c * 11, 1 + r * 11, block, `${r},${c}`);
          expectPixel(image, 10 + c * 11, 10 + r * 11, block, `${r},${c}`);
          expectPixel(image, c * 11, r * 11, [255, 255, 255], `line ${r},${c}`);
        }),
      );

      const conditional = await get(`${path}.svg`, { 'If-None-Match': res.headers.etag as string });
      expect(conditional.status).toBe(304);
    });

    it('serves secret grids under /secret/ only', async () => {
      const path = await post(clientBody({ secret: true }));
      expect((await get(`${path}.svg`)).status).toBe(200);
      expect((await get(`${path.replace('/secret', '')}.svg`)).status).toBe(404);
      expect((await get('/zzzzzz.svg')).status).toBe(404);
    });

    it('writes only numbers from an old row that holds markup where numbers belong', async () => {
      const hostile = '"/><script>alert(1)</script>';
      const hashId = await insertLegacy({
        lines_on: hostile,
        width: hostile,
        height: 1,
        blocks: [
          [
            ['255', 0, hostile, '12'],
            [hostile, hostile, hostile, hostile],
          ],
          hostile,
        ],
      });
      const res = await get(`/${hashId}.svg`);
      expect(res.status).toBe(200);
      expect(res.text).not.toMatch(/script|alert/);
      expectSvgGrammar(res.text);
      const image = await rasterize(res.text);
      expectPixel(image, 5, 5, [255, 0, 0]);
    });

    it('keeps a 500x500 grid of noise, the biggest a post may hold, under 60 bytes a block', async () => {
      let seed = 3;
      const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      const gridData = clientBody({}, 500, 500).grid_data;
      gridData.blocks = blocks(500, 500, 20, () => [next(), next(), next()]);
      // Stored as a post stores it: posting 4 MB of JSON is not what this measures.
      const id = await t.app.get(GridsRepository).insert('public', {
        ipbVersion: '1.10.dev',
        pythonVersion: [3, 11, 2, 'final', 0],
        gridDataJson: JSON.stringify(gridData),
        codeCells: null,
        ipbClass: 'BlockGrid',
        secret: false,
      });
      // An agent without the global one's 5 s idle timeout: a loaded machine may take longer.
      const res = await rawRequest(`${t.baseUrl}/${t.app.get(GridIds).encode('public', id)}.svg`, {
        headers: { 'Accept-Encoding': 'identity' },
        agent: new Agent(),
      });
      expect(res.status).toBe(200);
      expect(res.body.length).toBeLessThan(500 * 500 * 60);
      expect(expectSvgGrammar(res.text)).toBeLessThanOrEqual(1 + 500 * 500 + 499);
    });
  });

  it('the grid page links its notebook and its SVG', async () => {
    const path = await post(clientBody());
    const page = await get(path);
    expect(page.text).toContain(`href="${path}.ipynb" download>Download notebook</a>`);
    expect(page.text).toContain(`href="${path}.svg">SVG</a>`);
    const secret = await post(clientBody({ secret: true }));
    expect((await get(secret)).text).toContain(`href="${secret}.ipynb"`);
  });
});
