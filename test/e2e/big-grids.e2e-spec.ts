import { GRID_CACHE_CONTROL } from '../../src/grid-pages/immutable-answer';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { PAGE_CELL_MAX_CHARS, PAGE_CODE_MAX_CHARS } from '../../src/grid-pages/grid-code';
import { PAGE_TABLE_MAX_BLOCKS } from '../../src/grid-pages/grid-render.task';
import { GridIds } from '../../src/grid-storage/grid-ids';
import { GridsRepository } from '../../src/grid-storage/grids.repository';
import { OFF_THREAD_BODY_BYTES } from '../../src/grid-api/json-body.interceptor';
import { blocks, clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

const pathOf = (url: string) => new URL(url).pathname;

/**
 * Whatever was posted or imported, a page stays small enough to serve and read: tables up to a
 * size, pictures past it; code within a budget, with the whole of it one link away.
 */
describe('big grids and long code', () => {
  let t: TestApp;
  let repository: GridsRepository;
  let ids: GridIds;
  beforeAll(async () => {
    t = await startTestApp();
    repository = t.app.get(GridsRepository);
    ids = t.app.get(GridIds);
  });
  afterAll(() => t.close());

  it('draws a grid of up to PAGE_TABLE_MAX_BLOCKS blocks as the library table', async () => {
    const side = Math.floor(Math.sqrt(PAGE_TABLE_MAX_BLOCKS));
    const posted = await clientPost(t.baseUrl, JSON.stringify(clientBody({}, side, side)));
    expect(posted.status).toBe(200);
    const page = await rawRequest(`${t.baseUrl}${pathOf(posted.json<{ url: string }>().url)}`);
    expect(page.status).toBe(200);
    expect(page.text.split('<td ').length - 1).toBe(side * side);
    expect(page.text).not.toContain('class="grid-picture"');
  });

  it('shows a bigger grid as its picture, and its page stays small', async () => {
    const width = 1000;
    const height = Math.ceil((PAGE_TABLE_MAX_BLOCKS + 1) / width);
    const posted = await clientPost(t.baseUrl, JSON.stringify(clientBody({}, width, height)));
    expect(posted.status).toBe(200);
    const path = pathOf(posted.json<{ url: string }>().url);
    const page = await rawRequest(`${t.baseUrl}${path}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<table id="blocks');
    expect(page.text).toContain(`<img class="grid-picture" src="${path}.png"`);
    expect(page.text).toContain(`This grid has ${width * height} blocks`);
    expect(page.body.length).toBeLessThan(50_000);
    const png = await rawRequest(`${t.baseUrl}${path}.png`);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
  });

  it('shows at most a budget of code, says what it left out, and links the whole code', async () => {
    const long = 'x = 1  # <b>&amp;</b>\n'.repeat(Math.ceil((PAGE_CELL_MAX_CHARS * 3) / 22));
    const cells = [long, long, long, long, long, long, 'print("last")'];
    // Imported rows are not held to the post limits: store one as the importer would.
    const id = await repository.insert('public', {
      ipbVersion: '1.9',
      pythonVersion: [3, 11, 2, 'final', 0],
      gridDataJson: JSON.stringify(clientBody().grid_data),
      codeCells: cells,
      ipbClass: 'BlockGrid',
      secret: false,
    });
    const hashId = ids.encode('public', id);
    const page = await rawRequest(`${t.baseUrl}/${hashId}`);
    expect(page.status).toBe(200);
    const shownCells = page.text.split('<code class="hljs language-python">').length - 1;
    expect(shownCells).toBe(PAGE_CODE_MAX_CHARS / PAGE_CELL_MAX_CHARS);
    expect(page.text).toContain(`… and ${long.length - PAGE_CELL_MAX_CHARS} more characters`);
    expect(page.text).toContain(`${cells.length - shownCells} more code cells are not shown here`);
    expect(page.text).toContain(`<a href="/${hashId}.py">the whole code</a>`);
    // Escaped, never markup.
    expect(page.text).not.toContain('<b>&amp;</b>');
    expect(page.body.length).toBeLessThan(PAGE_CODE_MAX_CHARS * 6);

    const script = await rawRequest(`${t.baseUrl}/${hashId}.py`);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(script.headers['cache-control']).toBe(GRID_CACHE_CONTROL);
    expect(script.text).toContain('# In[7]:\n\nprint("last")\n');
    for (const cell of cells) expect(script.text).toContain(cell);
  });

  it('answers 404 for the code of a grid without code cells, and of an unknown grid', async () => {
    const posted = await clientPost(t.baseUrl, JSON.stringify(clientBody({ code_cells: null })));
    const path = pathOf(posted.json<{ url: string }>().url);
    expect((await rawRequest(`${t.baseUrl}${path}.py`)).status).toBe(404);
    expect((await rawRequest(`${t.baseUrl}/zzzzzz.py`)).status).toBe(404);
  });

  describe(`posts over ${OFF_THREAD_BODY_BYTES} bytes (checked on the worker thread)`, () => {
    const big = { ...clientBody({}, 300, 300), secret: true };

    it('are stored and read back exactly, compressed or not', async () => {
      const body = JSON.stringify(big);
      expect(body.length).toBeGreaterThan(1024 * 1024);
      const posted = await clientPost(t.baseUrl, body);
      expect(posted.status).toBe(200);
      const get = `${t.baseUrl}/get${pathOf(posted.json<{ url: string }>().url)}`;
      const plain = await rawRequest(get);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
      expect(plain.json()).toEqual(big.grid_data);
      const gzip = await rawRequest(get, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(JSON.parse(gunzipSync(gzip.body).toString('utf8'))).toEqual(big.grid_data);
      const br = await rawRequest(get, { headers: { 'Accept-Encoding': 'br' } });
      expect(br.headers['content-encoding']).toBe('br');
      expect(JSON.parse(brotliDecompressSync(br.body).toString('utf8'))).toEqual(big.grid_data);
      expect(gzip.headers.etag).toBe(plain.headers.etag);
    });

    it('get the same field errors as small ones', async () => {
      const rows = blocks(300, 300);
      rows[7][3] = [1, 2, 300, 20];
      const bad = { ...big, ipb_class: 'Nope', grid_data: { ...big.grid_data, blocks: rows } };
      const res = await clientPost(t.baseUrl, JSON.stringify(bad));
      expect(res.status).toBe(400);
      expect(res.json<{ errors: unknown[] }>().errors).toEqual([
        { field: 'ipb_class', message: 'must be BlockGrid or ImageGrid' },
        { field: 'grid_data.blocks[7][3][2]', message: 'must be an integer from 0 to 255' },
      ]);
    });

    it('that are not JSON get a 400 saying so', async () => {
      const res = await clientPost(t.baseUrl, `${JSON.stringify(big)}}`);
      expect(res.status).toBe(400);
      expect(res.json<{ message: string }>().message).toMatch(/not valid JSON/);
    });
  });
});
