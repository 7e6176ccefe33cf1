import { GRID_CACHE_CONTROL } from '../../src/grid-pages/immutable-answer';
import sharp from 'sharp';
import { blocks, clientBody } from '../support/grid-factory';
import { clientPost, rawRequest, RawResponse } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';
import { clientPostFixtures } from '../support/fixtures';

const fixtures = clientPostFixtures;

const pathOf = (res: RawResponse) => new URL(res.json<{ url: string }>().url).pathname;

describe('link previews and the gallery', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    // jest runs spec files one at a time: the gallery starts empty.
    await t.dataSource.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY');
  });
  afterAll(() => t.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(`${t.baseUrl}${path}`, { headers });

  // Grids of one block size: block (r, c) is centred at 1 + c * (size + 1) + size / 2 with
  // lines (one 1 px white line between and around blocks), at c * size + size / 2 without.
  const uniform = fixtures.filter((f) =>
    f.grid_data.blocks.every((row) => row.every((b) => b[3] === f.grid_data.blocks[0][0][3])),
  );

  describe.each(uniform.map((f) => [f.name, f] as const))('PNG of %s', (_name, fixture) => {
    it('has the page geometry and each block’s colour at its centre', async () => {
      const path = pathOf(await clientPost(t.baseUrl, fixture.body));
      const res = await get(`${path}.png`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['cache-control']).toBe(GRID_CACHE_CONTROL);
      expect(res.headers.etag).toBeTruthy();
      expect(
        (await get(`${path}.png`, { 'If-None-Match': res.headers.etag as string })).status,
      ).toBe(304);

      const { width, height, lines_on: lines, blocks: rows } = fixture.grid_data;
      const size = rows[0][0][3];
      const line = lines ? 1 : 0;
      const naturalWidth = width * size + (width + 1) * line;
      const naturalHeight = height * size + (height + 1) * line;
      const { data, info } = await sharp(res.body)
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const scale = info.width / naturalWidth;
      expect(info.height / naturalHeight).toBeCloseTo(scale, 5);
      const pixel = (x: number, y: number) => {
        const i = (Math.floor(y) * info.width + Math.floor(x)) * 3;
        return [data[i], data[i + 1], data[i + 2]];
      };
      rows.forEach((row, r) =>
        row.forEach((block, c) => {
          const x = (line + c * (size + line) + size / 2) * scale;
          const y = (line + r * (size + line) + size / 2) * scale;
          expect(pixel(x, y)).toEqual(block.slice(0, 3));
        }),
      );
      if (lines) expect(pixel(0, 0)).toEqual([255, 255, 255]);
    });
  });

  it('serves secret grids only on the secret route', async () => {
    const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret: true }))));
    expect((await get(`${path}.png`)).status).toBe(200);
    const hashId = path.split('/').pop()!;
    expect((await get(`/${hashId}.png`)).status).toBe(404);
    expect((await get('/zzzzzz.png')).status).toBe(404);
  });

  it('bounds the picture of a huge grid', async () => {
    const big = clientBody({ code_cells: null }, 300, 300);
    big.grid_data.blocks = blocks(300, 300, 20);
    const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(big)));
    const res = await get(`${path}.png`);
    expect(res.status).toBe(200);
    const meta = await sharp(res.body).metadata();
    expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(1200);
    expect(res.body.length).toBeLessThan(1024 * 1024);
  });

  /** Lengths of the runs of equal pixels along the row of pixels at `y`. */
  async function runsAlong(png: Buffer, y: number): Promise<{ width: number; runs: number[] }> {
    const { data, info } = await sharp(png)
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const runs: number[] = [];
    let previous = '';
    for (let x = 0; x < info.width; x++) {
      const i = (y * info.width + x) * 3;
      const colour = `${data[i]},${data[i + 1]},${data[i + 2]}`;
      if (colour === previous) runs[runs.length - 1]++;
      else runs.push(1);
      previous = colour;
    }
    return { width: Math.max(info.width, info.height), runs };
  }

  it.each([
    // 20 blocks of 30 px and 21 lines (621 px) fit 144 px as 6 px blocks with their lines.
    ['with its lines', 20, 30, [1, ...Array<number[]>(20).fill([6, 1]).flat()]],
    // 100 blocks of 11 px (1201 px): 1 px blocks, no room for lines.
    ['without room for lines', 100, 11, Array<number>(100).fill(1)],
  ])(
    'serves a thumbnail (?size=thumb) for /recent, every block whole %s',
    async (_how, side, size, expected) => {
      const body = clientBody({ code_cells: null });
      body.grid_data = {
        lines_on: true,
        width: side,
        height: side,
        blocks: blocks(side, side, size),
      };
      const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(body)));
      const res = await get(`${path}.png?size=thumb`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers.etag).toBeTruthy();
      expect(res.headers.etag).not.toBe((await get(`${path}.png`)).headers.etag);
      const first = side > 50 ? 0 : 4; // through the middle of the first row of blocks
      const { width, runs } = await runsAlong(res.body, first);
      expect(width).toBeLessThanOrEqual(144);
      expect(runs).toEqual(expected);
      expect((await get('/recent')).text).toContain(`src="${path}.png?size=thumb"`);
    },
  );

  it('answers 400 naming the parameter for a thumbnail size it does not make', async () => {
    const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(clientBody())));
    for (const size of ['big', '144', '']) {
      const res = await get(`${path}.png?size=${size}`);
      expect(res.status).toBe(400);
      expect(res.text).toContain('size');
    }
  });

  it('puts Open Graph and Twitter card tags on grid pages', async () => {
    const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(clientBody())));
    const { text } = await get(path);
    const url = `${t.baseUrl}${path}`;
    expect(text).toContain(`<meta property="og:url" content="${url}">`);
    expect(text).toContain(`<meta property="og:image" content="${url}.png">`);
    expect(text).toMatch(/<meta property="og:title" content="BlockGrid 3 × 2[^"]*">/);
    expect(text).toMatch(/<meta property="og:description" content="A 3 × 2 BlockGrid[^"]*">/);
    expect(text).toContain('<meta name="twitter:card" content="summary_large_image">');
    expect(text).toContain(`<meta name="twitter:image" content="${url}.png">`);
  });

  it('lists recent public grids newest first, pages with a keyset, never a secret grid', async () => {
    await t.dataSource.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY');
    expect((await get('/recent')).text).toContain('No public grids yet');
    const publicIds: string[] = [];
    for (let i = 0; i < 39; i++) {
      const secret = i % 3 === 0;
      const path = pathOf(await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret }))));
      if (!secret) publicIds.push(path.slice(1));
    }
    const secretIds = (
      await t.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM secret_grids')
    )[0].n;
    expect(Number(secretIds)).toBe(13);
    const newestFirst = [...publicIds].reverse();
    const listed = (html: string) =>
      [...html.matchAll(/<a href="\/(\w+)"><img src="\/\1\.png\?size=thumb"/g)].map((m) => m[1]);

    const first = await get('/recent');
    expect(first.status).toBe(200);
    expect(first.text).not.toContain('/secret/');
    expect(listed(first.text)).toEqual(newestFirst.slice(0, 24));
    const next = /href="\/recent\?before=(\w+)" rel="next"/.exec(first.text)?.[1];
    expect(next).toBe(newestFirst[23]);

    const second = await get(`/recent?before=${next}`);
    expect(listed(second.text)).toEqual(newestFirst.slice(24));
    expect(second.text).not.toContain('rel="next"');
    expect(second.text).toContain('href="/recent"');

    expect((await get('/recent?before=notAnId!')).status).toBe(404);
    // Linked from the navigation and the landing page.
    expect((await get('/')).text).toContain('href="/recent"');
  });
});
