import { PAGE_CACHE_CONTROL } from '../../src/grid-pages/grid-page.controller';
import { clientGridData } from '../../src/grid-api/api-examples';
import { GridIds } from '../../src/grid-storage/grid-ids';
import { GridsRepository } from '../../src/grid-storage/grids.repository';
import { blocks, clientBody } from '../support/grid-factory';
import { clientPost, rawRequest, type RawResponse } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { testConfig } from '../support/test-config';

/** Text as a browser shows it from Handlebars-escaped HTML. */
function unescapeHtml(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&amp;/g, '&');
}

/** The iframe snippet a grid page offers in its Embed box, as a person copies it. */
function offeredSnippet(page: string): string {
  const match = /<section class="embed"[\s\S]*?<code>([\s\S]*?)<\/code>/.exec(page);
  expect(match).not.toBeNull();
  return unescapeHtml(match![1]);
}

/** From the grid table's style block to the end of the table. */
function tableOf(html: string): string {
  const start = html.indexOf('<style type="text/css">table.blockgrid');
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</table>', start) + '</table>'.length);
}

interface Oembed {
  version: string;
  type: string;
  html: string;
  width: number;
  height: number;
  title: string;
  provider_name: string;
  provider_url: string;
  thumbnail_url?: string;
  thumbnail_width?: number;
  thumbnail_height?: number;
}

describe('embeds and oEmbed', () => {
  let t: TestApp;
  /** Page paths: `/<id>` and `/secret/<id>` of a 3x2 grid, and a 20x3 one. */
  let publicPath: string;
  let secretPath: string;
  let widePath: string;

  const get = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(`${t.baseUrl}${path}`, { headers });
  const oembed = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    get(`/oembed?${new URLSearchParams(params).toString()}`, headers);
  const post = async (body: object): Promise<string> => {
    const res = await clientPost(t.baseUrl, JSON.stringify(body));
    expect(res.status).toBe(200);
    return new URL(res.json<{ url: string }>().url).pathname;
  };

  beforeAll(async () => {
    t = await startTestApp();
    publicPath = await post(clientBody());
    secretPath = await post(clientBody({ secret: true }));
    widePath = await post(clientBody({}, 20, 3));
  });
  afterAll(() => t.close());

  describe('the embed page', () => {
    it.each([
      ['public', () => publicPath],
      ['secret', () => secretPath],
    ])('shows a %s grid alone: the page table, a caption linking to the page', async (_, path) => {
      const [page, embed] = await Promise.all([get(path()), get(`${path()}/embed`)]);
      expect(embed.status).toBe(200);
      expect(embed.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(tableOf(embed.text)).toBe(tableOf(page.text));
      expect(embed.text).toContain(`<a href="${t.baseUrl}${path()}" target="_blank"`);
      // Without SITE_NAME the site is named after its host: this one is not ipythonblocks.org.
      expect(embed.text).toContain(`</a> · ${new URL(t.baseUrl).host}</p>`);
      expect(embed.text).not.toContain('ipythonblocks.org');
      expect(embed.text).not.toContain('site-header');
      expect(embed.text).not.toContain('<nav');
      expect(embed.text).toContain('background: transparent');
      // The grid alone, without the page's list of remixes: cached as pages were before it.
      expect(embed.headers['cache-control']).toBe(PAGE_CACHE_CONTROL);
    });

    it('is an immutable answer: ETag and 304', async () => {
      const first = await get(`${publicPath}/embed`);
      expect(first.headers.etag).toMatch(/^"[\w-]+"$/);
      const again = await get(`${publicPath}/embed`, {
        'If-None-Match': first.headers.etag as string,
      });
      expect(again.status).toBe(304);
    });

    it('answers 404 for unknown grids and a public id under /secret', async () => {
      expect((await get('/zzzzzz/embed')).status).toBe(404);
      expect((await get(`/secret${publicPath}/embed`)).status).toBe(404);
      expect((await get('/secret/embed')).status).toBe(404);
    });

    it('shows a grid past the page table limit as its picture', async () => {
      // Stored as the importer would: posting 40,000 blocks takes seconds on the embedded database.
      const id = await t.app.get(GridsRepository).insert('public', {
        ipbVersion: '1.9',
        pythonVersion: [3, 11, 2, 'final', 0],
        gridDataJson: JSON.stringify(clientGridData(blocks(201, 200, 1))),
        codeCells: null,
        ipbClass: 'BlockGrid',
        secret: false,
      });
      const path = `/${t.app.get(GridIds).encode('public', id)}`;
      const embed = await get(`${path}/embed`);
      expect(embed.status).toBe(200);
      expect(embed.text).not.toContain('<table');
      expect(embed.text).toContain(`<img src="${path}.png"`);
    });
  });

  describe('framing', () => {
    it('lets any site frame the embed pages, and only them', async () => {
      for (const path of [`${publicPath}/embed`, `${secretPath}/embed`, '/zzzzzz/embed']) {
        const res = await get(path);
        expect(res.headers['content-security-policy']).toMatch(/frame-ancestors \*(;|$)/);
        expect(res.headers['x-frame-options']).toBeUndefined();
      }
      const others = [
        publicPath,
        secretPath,
        `${publicPath}.png`,
        '/',
        '/about',
        '/oembed',
        '/x/y/z',
      ];
      for (const path of [...others, `/get${publicPath}`]) {
        const res = await get(path);
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      }
    });
  });

  describe('the grid page', () => {
    it('offers the iframe snippet, sized to the grid and its caption line', async () => {
      const hashId = publicPath.slice(1);
      expect(offeredSnippet((await get(publicPath)).text)).toBe(
        `<iframe src="${t.baseUrl}${publicPath}/embed" width="200" height="67" ` +
          `title="Grid ${hashId} on ${new URL(t.baseUrl).host}" style="border: 0" loading="lazy"></iframe>`,
      );
      // 20 blocks of 20 px and 21 lines across; 3 rows of 20 px and 4 lines, and the 24 px caption.
      expect(offeredSnippet((await get(widePath)).text)).toContain('width="421" height="88"');
    });

    it('carries the oEmbed discovery tag', async () => {
      for (const path of [publicPath, secretPath]) {
        const href = `${t.baseUrl}/oembed?url=${encodeURIComponent(`${t.baseUrl}${path}`)}&format=json`;
        const { text } = await get(path);
        expect(text).toContain(
          `<link rel="alternate" type="application/json+oembed" href="${href.replace(/&/g, '&amp;').replace(/=/g, '&#x3D;')}"`,
        );
      }
    });
  });

  describe('GET /oembed', () => {
    it.each([
      ['public', () => publicPath],
      ['secret', () => secretPath],
    ])('answers a rich oEmbed for a %s grid URL', async (_, path) => {
      const res = await oembed({ url: `${t.baseUrl}${path()}`, format: 'json' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers.etag).toBeDefined();
      const answer = res.json<Oembed>();
      const png = await get(`${path()}.png`);
      expect(answer).toEqual({
        version: '1.0',
        type: 'rich',
        title: `${path().startsWith('/secret/') ? 'Secret grid' : 'Grid'} ${path().split('/').pop()}`,
        provider_name: new URL(t.baseUrl).host,
        provider_url: `${t.baseUrl}/`,
        html: offeredSnippet((await get(path())).text),
        width: 200,
        height: 67,
        thumbnail_url: `${t.baseUrl}${path()}.png`,
        thumbnail_width: png.body.readUInt32BE(16),
        thumbnail_height: png.body.readUInt32BE(20),
        cache_age: 3600,
      });
    });

    it('shrinks the frame to maxwidth and maxheight, keeping its proportions', async () => {
      const url = `${t.baseUrl}${widePath}`;
      const full = (await oembed({ url })).json<Oembed>();
      expect([full.width, full.height]).toEqual([421, 88]);
      const byWidth = (await oembed({ url, maxwidth: '200' })).json<Oembed>();
      expect([byWidth.width, byWidth.height]).toEqual([200, 41]);
      expect(byWidth.html).toBe(
        full.html.replace('width="421" height="88"', 'width="200" height="41"'),
      );
      const byHeight = (await oembed({ url, maxwidth: '400', maxheight: '30' })).json<Oembed>();
      expect([byHeight.width, byHeight.height]).toEqual([143, 30]);
      // Bounds larger than the grid change nothing; a picture too big for them is left out.
      expect((await oembed({ url, maxwidth: '5000', maxheight: '5000' })).json()).toEqual(full);
      expect(byHeight.thumbnail_url).toBeUndefined();
      expect(byHeight.thumbnail_width).toBeUndefined();
    });

    it('answers 404 for another host, another page, an unknown grid or the wrong visibility', async () => {
      const hashId = publicPath.slice(1);
      for (const url of [
        `http://example.com${publicPath}`,
        `http://127.0.0.1:1${publicPath}`,
        `${t.baseUrl}/about/x`,
        `${t.baseUrl}/zzzzzz`,
        `${t.baseUrl}/secret/${hashId}`,
        `${t.baseUrl}/${secretPath.split('/').pop()}`,
      ]) {
        const res = await oembed({ url });
        expect([url, res.status]).toEqual([url, 404]);
        expect(res.json()).toMatchObject({ statusCode: 404 });
      }
    });

    it('answers 501 for format=xml', async () => {
      const res = await oembed({ url: `${t.baseUrl}${publicPath}`, format: 'xml' });
      expect(res.status).toBe(501);
      expect(res.json<{ message: string }>().message).toMatch(/^format: /);
    });

    it.each([
      ['url', ''],
      ['url', '?url='],
      ['url', '?url=not%20a%20url'],
      ['url', '?url=ftp%3A%2F%2F127.0.0.1%2Fabc'],
      ['url', '?url=a&url=b'],
      ['maxwidth', '?url=x&maxwidth=abc'],
      ['maxwidth', '?url=x&maxwidth=-5'],
      ['maxheight', '?url=x&maxheight=0'],
      ['maxheight', '?url=x&maxheight=1.5'],
      ['format', '?url=x&format=yaml'],
    ])('answers 400 naming %s for %s', async (name, query) => {
      const res: RawResponse = await get(`/oembed${query}`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json<{ message: string }>().message).toMatch(new RegExp(`^${name}: `));
    });
  });

  describe('the site name', () => {
    const embedCaption = (html: string) => /<p class="embed-caption">.*<\/p>/.exec(html)?.[0];

    it('is the host the links are made with, per origin, without www. (cached pages too)', async () => {
      for (const host of ['www.example.org', 'blocks.example.net:8080', 'www.example.org']) {
        const embed = await get(`${publicPath}/embed`, { host });
        expect(embedCaption(embed.text)).toContain(`</a> · ${host.replace(/^www\./, '')}</p>`);
        const answer = (
          await oembed({ url: `http://${host}${publicPath}` }, { host })
        ).json<Oembed>();
        expect(answer.provider_name).toBe(host.replace(/^www\./, ''));
      }
    });

    it('is SITE_NAME when set: the embed caption and title, the iframe title, oEmbed', async () => {
      const named = await startTestApp(testConfig({ SITE_NAME: 'Blocks & Co' }));
      try {
        const res = await clientPost(named.baseUrl, JSON.stringify(clientBody()));
        const path = new URL(res.json<{ url: string }>().url).pathname;
        const embed = await rawRequest(`${named.baseUrl}${path}/embed`);
        expect(embedCaption(embed.text)).toContain('</a> · Blocks &amp; Co</p>');
        expect(embed.text).toContain(`<title>Grid ${path.slice(1)} · Blocks &amp; Co</title>`);
        const page = await rawRequest(`${named.baseUrl}${path}`);
        expect(offeredSnippet(page.text)).toContain(
          `title="Grid ${path.slice(1)} on Blocks &amp; Co"`,
        );
        const url = encodeURIComponent(`${named.baseUrl}${path}`);
        const answer = (await rawRequest(`${named.baseUrl}/oembed?url=${url}`)).json<Oembed>();
        expect(answer.provider_name).toBe('Blocks & Co');
        expect(answer.html).toContain('on Blocks &amp; Co"');
      } finally {
        await named.close();
      }
    });

    it('refuses a SITE_NAME with a control character, naming it', () => {
      expect(() => testConfig({ SITE_NAME: 'a\nb' })).toThrow(/SITE_NAME/);
    });
  });
});
