/**
 * The grid viewer in a real browser: Chromium driven by playwright-core, against the
 * app started in-process on the test database. It checks what a person sees (colours read back
 * from screenshots, visible code), that pages load nothing from other hosts and log no errors
 * (a Content-Security-Policy violation is a console error), and the phone layout.
 *
 * The Chromium is a system one (CHROMIUM_PATH, or Debian's /usr/bin/chromium) or else the one
 * inside the npm package @sparticuz/chromium: see test/support/browser.ts. SKIP_BROWSER_TESTS=1
 * skips it; CI never sets it. Screenshots land in test-artifacts/screenshots/ for a person to
 * look at.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Block } from '../../src/grid-storage/grid-data';
import {
  cellBoxesScript,
  launchChromium,
  Screenshot,
  skipBrowserTests,
  watchPage,
  type CellBox,
  type PageWatch,
} from '../support/browser';
import { clientBody } from '../support/grid-factory';
import { clientPost } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

interface ClientPostFixture {
  name: string;
  secret: boolean;
  body: string;
}

interface PostedGrid {
  name: string;
  /** The page's path: `/<id>` or `/secret/<id>`. */
  path: string;
  hashId: string;
  secret: boolean;
  ipbClass: string;
  linesOn: boolean;
  blocks: Block[][];
  codeCells: string[];
}

const fixtures = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures/client-posts.json'), 'utf8'),
) as ClientPostFixture[];

const SHOTS_DIR = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const WIDE = 'wide-100x20';
const GRID_SELECTOR = '.grid-figure .grid-scroll';

const describeBrowser = skipBrowserTests ? describe.skip : describe;

describeBrowser('grid pages in Chromium', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const grids = new Map<string, PostedGrid>();

  /** Posts a body as `grid.post_to_web()` does (no Content-Type) and remembers the grid. */
  async function post(name: string, body: string): Promise<void> {
    const res = await clientPost(app().baseUrl, body);
    expect(res.status).toBe(200);
    const path = new URL(res.json<{ url: string }>().url).pathname;
    const sent = JSON.parse(body) as {
      secret: boolean;
      ipb_class: string;
      code_cells: string[] | null;
      grid_data: { lines_on: boolean; blocks: Block[][] };
    };
    grids.set(name, {
      name,
      path,
      hashId: path.split('/').pop() ?? '',
      secret: sent.secret,
      ipbClass: sent.ipb_class,
      linesOn: sent.grid_data.lines_on,
      blocks: sent.grid_data.blocks,
      codeCells: sent.code_cells ?? [],
    });
  }

  const app = (): TestApp => {
    if (!t) throw new Error('the app did not start');
    return t;
  };
  const grid = (name: string): PostedGrid => {
    const g = grids.get(name);
    if (!g) throw new Error(`grid ${name} was not posted`);
    return g;
  };

  beforeAll(async () => {
    // Chromium first: without it, fail at once with the install hint.
    browser = await launchChromium();
    t = await startTestApp();
    for (const f of fixtures) await post(f.name, f.body);
    // A wide grid of big blocks (2000 px), for the phone layout.
    await post(WIDE, JSON.stringify(clientBody({ code_cells: null }, 100, 20)));
    mkdirSync(SHOTS_DIR, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  /** A fresh context at the given viewport, with the page's requests and errors recorded. */
  async function open(path: string, viewport = DESKTOP): Promise<{ page: Page; watch: PageWatch }> {
    if (!browser) throw new Error('Chromium did not start');
    context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const watch = watchPage(page, app().baseUrl);
    const res = await page.goto(`${app().baseUrl}${path}`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    await page.evaluate('document.fonts.ready.then(() => true)');
    return { page, watch };
  }

  /** Nothing from another host, no console or page errors, no failed requests. */
  function expectClean(watch: PageWatch): void {
    expect(watch.requests.length).toBeGreaterThan(0);
    expect(watch.offsite).toEqual([]);
    expect(watch.errors).toEqual([]);
  }

  async function cellBoxes(page: Page): Promise<CellBox[][]> {
    const boxes = await page.evaluate<CellBox[][] | null>(cellBoxesScript(GRID_SELECTOR));
    if (!boxes) throw new Error('no grid table on the page');
    return boxes;
  }

  /** Each block is at least its posted size, and its centre pixel in the screenshot has its colour. */
  function expectColours(shot: Screenshot, boxes: CellBox[][], blocks: Block[][]): void {
    const wrong: string[] = [];
    blocks.forEach((row, r) =>
      row.forEach((block, c) => {
        const box = boxes[r][c];
        // A block is never squeezed below its posted size (a row or column may stretch it).
        if (box.width < block[3] || box.height < block[3]) {
          wrong.push(`[${r}, ${c}] posted size ${block[3]} shows ${box.width}x${box.height}`);
        }
        const got = shot.rgb(box.x + box.width / 2, box.y + box.height / 2);
        if (got.some((v, i) => Math.abs(v - block[i]) > 1)) {
          wrong.push(
            `[${r}, ${c}] posted (${block.slice(0, 3).join(', ')}) shows (${got.join(', ')})`,
          );
        }
      }),
    );
    expect(wrong).toEqual([]);
  }

  const shotPath = (name: string) => join(SHOTS_DIR, `${name}.png`);

  describe.each(fixtures.map((f) => [f.name] as const))('client fixture %s', (name) => {
    it('shows every block in its posted colour, the code cells and the remix snippet', async () => {
      const g = grid(name);
      const { page, watch } = await open(g.path);
      await expect(page.locator('h1').innerText()).resolves.toContain(g.hashId);

      const boxes = await cellBoxes(page);
      expect(boxes.map((row) => row.length)).toEqual(g.blocks.map((row) => row.length));
      const shot = new Screenshot(await page.screenshot({ fullPage: true }));
      expectColours(shot, boxes, g.blocks);

      // lines_on draws a 1 px white line between blocks; lines off, blocks touch.
      if (g.blocks[0].length > 1) {
        const [a, b] = boxes[0];
        const gapX = b.x - 0.5;
        const gap = shot.rgb(gapX, a.y + a.height / 2);
        if (g.linesOn) expect(gap).toEqual([255, 255, 255]);
        else expect(gap).not.toEqual([255, 255, 255]);
      }

      const cells = page.locator('.code-cells pre code');
      await expect(cells.count()).resolves.toBe(g.codeCells.length);
      for (const [i, code] of g.codeCells.entries()) {
        const cell = cells.nth(i);
        await expect(cell.isVisible()).resolves.toBe(true);
        const box = await cell.boundingBox();
        expect(box?.width).toBeGreaterThan(0);
        expect(box?.height).toBeGreaterThan(0);
        await expect(cell.textContent()).resolves.toBe(code);
      }

      const remix = page.locator('.remix pre code');
      await expect(remix.isVisible()).resolves.toBe(true);
      const call = `${g.ipbClass}.from_web('${g.hashId}'${g.secret ? ', secret=True' : ''})`;
      await expect(remix.innerText()).resolves.toBe(
        `from ipythonblocks import ${g.ipbClass}\ngrid = ${call}\ngrid.show()`,
      );

      if (g.secret) {
        await expect(page.locator('meta[name="robots"]').getAttribute('content')).resolves.toMatch(
          /noindex/,
        );
      }
      expectClean(watch);
    });
  });

  it.each([
    ['landing', '/'],
    ['grid', () => grid('block-7x3-nolines').path],
  ])('%s page: screenshots at phone and desktop width, nothing off-site', async (name, path) => {
    for (const [size, viewport] of [
      ['phone', PHONE],
      ['desktop', DESKTOP],
    ] as const) {
      const { page, watch } = await open(typeof path === 'string' ? path : path(), viewport);
      await page.screenshot({ path: shotPath(`${name}-${size}`), fullPage: true });
      const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(scrollWidth).toBeLessThanOrEqual(viewport.width);
      expectClean(watch);
      await context?.close();
    }
  });

  it('on a phone, snippets show all their code: the secret remix wraps at a space, not off-screen', async () => {
    const g = grid('image-3x4-upper-left-secret');
    for (const path of [g.path, '/', '/about']) {
      const { page, watch } = await open(path, PHONE);
      const snippets = await page.evaluate<
        { text: string; hidden: number; wrap: string; ligatures: string }[]
      >(`[...document.querySelectorAll('pre.snippet')].map((el) => ({
        text: el.innerText,
        hidden: el.scrollWidth - el.clientWidth,
        wrap: el.closest('.embed') ? 'normal' : getComputedStyle(el).overflowWrap,
        ligatures: getComputedStyle(el.querySelector('code')).fontVariantLigatures,
      }))`);
      expect(snippets.length).toBeGreaterThan(0);
      for (const snippet of snippets) {
        // Nothing cut off, nothing broken inside a name or a string (the embed box's HTML may
        // break anywhere), == drawn as two signs.
        expect({ path, ...snippet, hidden: Math.max(0, snippet.hidden) }).toEqual({
          path,
          ...snippet,
          hidden: 0,
          wrap: 'normal',
          ligatures: 'none',
        });
      }
      if (path === g.path) {
        expect(snippets.some((s) => s.text.includes(', secret=True)'))).toBe(true);
      }
      expectClean(watch);
      await context?.close();
    }
  });

  it('at desktop width the landing and about snippets wrap no statement: one line per line of code', async () => {
    for (const path of ['/', '/about']) {
      const { page, watch } = await open(path, DESKTOP);
      const snippets = await page.evaluate<{ text: string; lines: number; shown: number }[]>(
        `[...document.querySelectorAll('pre.snippet code')].map((el) => ({
          text: el.innerText,
          lines: el.innerText.replace(/\\n$/, '').split('\\n').length,
          shown: Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)),
        }))`,
      );
      expect(snippets.length).toBeGreaterThan(0);
      for (const snippet of snippets) {
        expect({ path, ...snippet }).toEqual({ path, ...snippet, shown: snippet.lines });
      }
      expectClean(watch);
      await context?.close();
    }
  });

  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const)(
    '/api/docs at %s width: the title on screen, the limits table whole or scrolling in its box',
    async (size, viewport) => {
      const { page, watch } = await open('/api/docs', viewport);
      await page.locator('.swagger-ui .info .title').waitFor();
      await page.locator('.swagger-ui .info table').waitFor();
      await page.screenshot({ path: shotPath(`api-docs-${size}`), fullPage: true });
      const layout = await page.evaluate<{
        titleRight: number;
        tableRight: number;
        boxRight: number;
        boxScrolls: boolean;
        pageWidth: number;
      }>(`(() => {
        const title = document.querySelector('.swagger-ui .info .title').getBoundingClientRect();
        const table = document.querySelector('.swagger-ui .info table');
        const box = table.parentElement;
        const overflow = getComputedStyle(box).overflowX;
        return {
          titleRight: Math.max(...[...document.querySelector('.swagger-ui .info .title').getClientRects()].map((r) => r.right), title.right),
          tableRight: table.getBoundingClientRect().right,
          boxRight: box.getBoundingClientRect().right,
          boxScrolls: (overflow === 'auto' || overflow === 'scroll') && box.scrollWidth > box.clientWidth,
          pageWidth: document.documentElement.scrollWidth,
        };
      })()`);
      expect(layout.titleRight).toBeLessThanOrEqual(viewport.width);
      expect(layout.pageWidth).toBeLessThanOrEqual(viewport.width);
      // Either the whole table is on screen, or its box scrolls to show the rest.
      if (layout.tableRight > viewport.width) {
        expect({ ...layout, boxScrolls: true }).toEqual(layout);
        expect(layout.boxRight).toBeLessThanOrEqual(viewport.width);
      }
      expectClean(watch);
    },
  );

  it('random grid button lands on a public grid page', async () => {
    const { page, watch } = await open('/');
    await Promise.all([
      page.waitForURL(/\/\w{6,}$/),
      page.locator('a[href="/random"]').first().click(),
    ]);
    // Any public grid of the database (a server database holds other specs' grids too).
    expect(new URL(page.url()).pathname).not.toContain('/secret/');
    await expect(page.locator('h1').innerText()).resolves.toMatch(/^Grid \w{6,}$/);
    expectClean(watch);
  });

  it('at phone width a wide grid scrolls inside its box, not the page', async () => {
    const g = grid(WIDE);
    const { page, watch } = await open(g.path, PHONE);
    await page.screenshot({ path: shotPath('wide-grid-phone'), fullPage: true });

    const doc = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
      '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
    );
    expect(doc.innerWidth).toBe(PHONE.width);
    expect(doc.scrollWidth).toBeLessThanOrEqual(PHONE.width);

    const box = page.locator(GRID_SELECTOR);
    const inBox = (expression: string) =>
      `(() => { const el = document.querySelector(${JSON.stringify(GRID_SELECTOR)}); return ${expression}; })()`;
    const scroll = await page.evaluate<{ scrollWidth: number; clientWidth: number }>(
      inBox('{ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }'),
    );
    expect(scroll.scrollWidth).toBeGreaterThan(2000);
    expect(scroll.clientWidth).toBeLessThan(PHONE.width);

    // Scrolled to its right end, the last column is on screen in its posted colours.
    await page.evaluate(inBox('(el.scrollLeft = el.scrollWidth)'));
    const boxes = await cellBoxes(page);
    const last = g.blocks[0].length - 1;
    const visible = await box.boundingBox();
    expect(visible).not.toBeNull();
    expect(boxes[0][last].x + boxes[0][last].width).toBeLessThanOrEqual(
      (visible?.x ?? 0) + (visible?.width ?? 0) + 1,
    );
    const shot = new Screenshot(await page.screenshot({ fullPage: true }));
    expectColours(
      shot,
      boxes.map((row) => [row[last]]),
      g.blocks.map((row) => [row[last]]),
    );
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      PHONE.width,
    );
    expectClean(watch);
  });
});
