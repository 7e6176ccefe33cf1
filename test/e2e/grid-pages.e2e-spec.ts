import { GRID_CACHE_CONTROL } from '../../src/grid-pages/immutable-answer';
import { LINEAGE_CACHE_CONTROL } from '../../src/grid-pages/grid-page.controller';
import { gunzipSync } from 'node:zlib';
import { GridIds } from '../../src/grid-storage/grid-ids';
import { blocks, clientBody } from '../support/grid-factory';
import { clientPost, rawRequest, RawResponse } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';
import { clientPostFixtures } from '../support/fixtures';

const fixtures = clientPostFixtures;

/** The grid's table as the page shows it: from its style block to the end of the table. */
function tableOf(html: string): string {
  const start = html.indexOf('<style type="text/css">table.blockgrid');
  const end = html.indexOf('</table>', start);
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, end + '</table>'.length);
}

const pathOf = (res: RawResponse) => new URL(res.json<{ url: string }>().url).pathname;

describe('grid pages', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    // jest runs spec files one at a time: this one starts from an empty store for /random.
    await t.dataSource.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY');
  });
  afterAll(() => t.close());

  const page = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(`${t.baseUrl}${path}`, { headers });

  describe('/random on an empty store', () => {
    it('shows a friendly page, not an error, while there is no public grid', async () => {
      expect((await page('/random')).status).toBe(200);
      // A secret grid alone still leaves nothing to pick.
      await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret: true })));
      const res = await page('/random');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toContain('No grids yet');
    });
  });

  describe.each(fixtures.map((f) => [f.name, f] as const))('fixture %s', (_name, fixture) => {
    it('renders the exact table markup of the ipythonblocks library', async () => {
      const path = pathOf(await clientPost(t.baseUrl, fixture.body));
      const res = await page(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const hashId = path.split('/').pop()!;
      const tableId = `-${fixture.secret ? 'secret' : 'public'}-${hashId}`;
      expect(tableOf(res.text)).toBe(fixture.table_html.replaceAll('{TABLE_ID}', tableId));
    });
  });

  it('shows the remix snippet, facts, title, description and canonical link', async () => {
    const body = clientBody({ ipb_class: 'ImageGrid', python_version: [3, 12, 1, 'final', 0] });
    const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(body)));
    const hashId = path.slice(1);
    const { text } = await page(path);
    expect(text).toContain(`ImageGrid.from_web(&#x27;${hashId}&#x27;)`);
    expect(text).toContain(`<title>Grid ${hashId} · ipythonblocks.org</title>`);
    expect(text).toMatch(/<meta name="description" content="A 3 × 2 ImageGrid[^"]*">/);
    expect(text).toContain(`<link rel="canonical" href="${t.baseUrl}${path}">`);
    expect(text).toContain('<dd>3.12.1</dd>');
    expect(text).toContain('<dd>1.10.dev</dd>');
    expect(text).not.toContain('noindex');
    expect(text).toContain('<html lang="en">');
    expect(text).toMatch(/role="img"[^>]*aria-label="A 3 × 2 ImageGrid of 6 coloured blocks"/);
  });

  it('describes the grid in words: the figure points at the description, the cells are hidden', async () => {
    const blocks = [
      [
        [255, 0, 0, 20],
        [255, 0, 0, 20],
        [0, 0, 128, 20],
      ],
      [
        [0, 0, 128, 20],
        [0, 0, 128, 20],
        [0, 0, 128, 20],
      ],
    ];
    const body = clientBody({ grid_data: { width: 3, height: 2, lines_on: true, blocks } });
    const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(body)));
    const { text } = await page(path);
    const words =
      'Mostly navy (4 of 6 blocks), then red (2). Row 1: 2 red, 1 navy. Row 2: all navy.';
    expect(text).toMatch(
      /<div class="grid-scroll" role="img" tabindex="0" aria-label="A 3 × 2 BlockGrid of 6 coloured blocks" aria-describedby="grid-words"><div aria-hidden="true"><style/,
    );
    expect(text).toContain(`<p id="grid-words" hidden>${words}</p>`);
    expect(text).toContain(`<summary>Describe this grid</summary>\n    <p>${words}</p>`);
    expect(text).toContain(
      `<meta property="og:image:alt" content="A 3 × 2 BlockGrid of 6 coloured blocks. ${words}">`,
    );
    const embed = (await page(`${path}/embed`)).text;
    expect(embed).toContain('<main>');
    expect(embed).toMatch(/<h1 class="visually-hidden">Grid \w+<\/h1>/);
    expect(embed).toContain(
      'aria-label="A 3 × 2 BlockGrid of 6 coloured blocks" aria-describedby="grid-words"',
    );
    expect(embed).toContain(`<p id="grid-words" hidden>${words}</p>`);
  });

  it('says "An 8 × 8" where the size is read aloud, on the page and in /recent', async () => {
    const body = clientBody({}, 8, 8);
    const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(body)));
    const { text } = await page(path);
    expect(text).toMatch(/<meta name="description" content="An 8 × 8 BlockGrid[^"]*">/);
    expect(text).toMatch(/aria-label="An 8 × 8 BlockGrid of 64 coloured blocks"/);
    expect(text).not.toContain('A 8 ×');
    // In /recent the link's text says it already: the thumbnail is decoration.
    expect((await page('/recent')).text).toContain(`<img src="${path}.png?size=thumb" alt=""`);
  });

  it('marks secret pages noindex and remixes them with secret=True', async () => {
    const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret: true }))));
    const hashId = path.split('/').pop()!;
    const { text, status } = await page(path);
    expect(status).toBe(200);
    expect(text).toContain('<meta name="robots" content="noindex, nofollow">');
    // Handlebars escapes quotes and `=`: the browser shows BlockGrid.from_web('id', secret=True).
    expect(text).toContain(`BlockGrid.from_web(&#x27;${hashId}&#x27;, secret&#x3D;True)`);
  });

  it('highlights code cells as Python and escapes every character of them', async () => {
    const cells = [
      'for block in grid:\n    block.red = 255',
      '</pre><script>alert("x")</script>',
      '{{body}} {{{body}}} <img src=x onerror=alert(1)>',
    ];
    const path = pathOf(
      await clientPost(t.baseUrl, JSON.stringify(clientBody({ code_cells: cells }))),
    );
    const { text } = await page(path);
    expect(text).toContain('<span class="hljs-keyword">for</span>');
    expect(text).toContain('&lt;/pre&gt;&lt;script&gt;alert(');
    expect(text).toContain('{{body}} {{{body}}} &lt;img src=x onerror=alert(');
    expect(text).not.toMatch(/<script/i);
    expect(text).not.toMatch(/<img/i);
  });

  it('answers 304 to a conditional request and serves gzip and brotli', async () => {
    const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(clientBody({}, 30, 30))));
    const first = await page(path);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    // Kept, but asked again before each use: the page lists its remixes (see remix-lineage).
    expect(first.headers['cache-control']).toBe(LINEAGE_CACHE_CONTROL);
    expect(first.headers.vary).toBe('Accept-Encoding');
    const again = await page(path, { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');

    const gz = await rawRequest(`${t.baseUrl}${path}`, {
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString('utf8')).toBe(first.text);
    const br = await page(path, { 'Accept-Encoding': 'br, gzip' });
    expect(br.headers['content-encoding']).toBe('br');

    const get = await page(`/get${path}`);
    expect(get.headers['cache-control']).toBe(GRID_CACHE_CONTROL);
    const get304 = await page(`/get${path}`, { 'If-None-Match': get.headers.etag as string });
    expect(get304.status).toBe(304);
  });

  it('redirects a trailing slash to the page with 301', async () => {
    const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(clientBody())));
    const res = await page(`${path}/`);
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(path);
    const secret = pathOf(
      await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret: true }))),
    );
    const res2 = await page(`${secret}/?a=1`);
    expect(res2.status).toBe(301);
    expect(res2.headers.location).toBe(`${secret}?a=1`);
    // Never an off-site redirect.
    const evil = await page('//evil.example/');
    expect(evil.headers.location).toBe('/evil.example');
  });

  it.each([
    ['an unknown id', '/zzzzzz'],
    ['an alias of a real id', '/bizkiM'],
    ['a secret id on the public route', '/MiXoi4'],
    ['a public id on the secret route', '/secret/bizkiL'],
    ['an unknown path', '/no/such/page'],
    ['a very long id', `/${'a'.repeat(300)}`],
  ])('answers an HTML 404 page for %s', async (_case, path) => {
    const res = await page(path);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('Grid not found');
    expect(res.text).toContain('<meta name="robots" content="noindex, nofollow">');
  });

  it('never takes /random, /about, /health, /post or /get for grid ids', async () => {
    expect((await page('/about')).text).toContain(
      "post_to_web(<wbr>code_cells='1,3:5', secret=False)",
    );
    expect((await page('/health')).json()).toMatchObject({ status: 'ok' });
    const getPost = await page('/post');
    expect(getPost.status).toBe(405);
    expect(getPost.headers.allow).toBe('POST');
    expect((await page('/get/zzzzzz')).headers['content-type']).toMatch(/^application\/json/);
    expect([303, 200]).toContain((await page('/random')).status);
  });

  it('/random sends people to public grids only', async () => {
    for (let i = 0; i < 3; i++) {
      await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret: true })));
    }
    const publicPaths = new Set<string>();
    for (let i = 0; i < 3; i++) {
      publicPaths.add(pathOf(await clientPost(t.baseUrl, JSON.stringify(clientBody()))));
    }
    for (let i = 0; i < 40; i++) {
      const res = await page('/random');
      expect(res.status).toBe(303);
      expect(res.headers['cache-control']).toBe('no-store');
      const location = res.headers.location as string;
      expect(location).toMatch(/^\/[A-Za-z0-9]{6,}$/);
      expect((await page(location)).status).toBe(200);
    }
  });

  it('renders rows from old data that break today’s rules', async () => {
    const odd = {
      lines_on: 1,
      width: 2,
      height: 2,
      blocks: [
        [
          [255, 0, 0, 20],
          ['12', 3.7, null, 'big'],
        ],
        'not a row',
      ],
    };
    const [row] = await t.dataSource.query<{ id: number }[]>(
      `INSERT INTO public_grids (ipb_version, python_version, grid_data, code_cells, ipb_class, secret)
       VALUES ('0.6', '"2.7.6"', $1, NULL, 'BlockGrid', false) RETURNING id`,
      [JSON.stringify(odd)],
    );
    const hashId = t.app.get(GridIds).encode('public', row.id);
    const res = await page(`/${hashId}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<dd>2.7.6</dd>');
    expect(res.text).toContain('background-color: rgb(255, 0, 0)');
  });

  it('shows no posting date for an imported grid (created_at NULL), on its page and in /recent', async () => {
    const [row] = await t.dataSource.query<{ id: number }[]>(
      `INSERT INTO public_grids (ipb_version, python_version, grid_data, code_cells, ipb_class, secret, created_at)
       VALUES ('1.6', '[2, 7, 6, "final", 0]', $1, NULL, 'BlockGrid', false, NULL) RETURNING id`,
      [JSON.stringify(clientBody().grid_data)],
    );
    const hashId = t.app.get(GridIds).encode('public', row.id);

    const res = await page(`/${hashId}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/posted|<time/i);
    expect(res.text).toContain('<dd>1.6</dd>');

    const recent = await page('/recent');
    const entry = new RegExp(`<li><a href="/${hashId}">.*?</li>`).exec(recent.text)?.[0];
    expect(entry).toContain(`<code>${hashId}</code>`);
    expect(entry).not.toContain('<time');

    // A posted grid keeps its date.
    const posted = pathOf(await clientPost(t.baseUrl, JSON.stringify(clientBody())));
    const today = new Date().toISOString().slice(0, 10);
    expect((await page(posted)).text).toMatch(new RegExp(`posted <time datetime="[^"]+">${today}`));
  });

  it('renders a 200x200 grid (40,000 blocks)', async () => {
    const big = clientBody({ code_cells: null }, 200, 200);
    big.grid_data.blocks = blocks(200, 200, 3);
    const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(big)));
    const res = await page(path);
    expect(res.status).toBe(200);
    expect(res.text.match(/<td /g)).toHaveLength(40_000);
  });
});
