/**
 * What a grid page says of its lineage, in Chromium: "Remixed from" links to the parent, whose
 * page shows its remixes as thumbnails and links on to the older ones; at phone and desktop width
 * nothing spills off the page, and nothing loads from another host or logs an error.
 * Screenshots land in test-artifacts/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, skipBrowserTests, watchPage, type PageWatch } from '../support/browser';
import { clientBody } from '../support/grid-factory';
import { clientPost } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

const SHOTS_DIR = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

(skipBrowserTests ? describe.skip : describe)('remix lineage in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestApp();
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

  async function post(body: Record<string, unknown>, width = 8, height = 8): Promise<string> {
    const res = await clientPost(t.baseUrl, JSON.stringify(clientBody(body, width, height)));
    expect(res.status).toBe(200);
    return new URL(res.json<{ url: string }>().url).pathname;
  }

  async function open(path: string, viewport = DESKTOP): Promise<{ page: Page; watch: PageWatch }> {
    await context?.close();
    context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const watch = watchPage(page, t.baseUrl);
    const res = await page.goto(`${t.baseUrl}${path}`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    return { page, watch };
  }

  function expectClean(watch: PageWatch): void {
    expect(watch.offsite).toEqual([]);
    expect(watch.errors).toEqual([]);
  }

  it('links a remix to its parent, and the parent to its remixes, at phone and desktop width', async () => {
    const parent = await post({ code_cells: ['grid = BlockGrid(8, 8)', 'grid.show()'] });
    const remixes: string[] = [];
    for (let i = 0; i < 22; i++) {
      remixes.unshift(await post({ remix_of: parent.slice(1) }, 4 + (i % 5), 3 + (i % 4)));
    }

    for (const [size, viewport] of [
      ['phone', PHONE],
      ['desktop', DESKTOP],
    ] as const) {
      const { page, watch } = await open(remixes[0], viewport);
      await page.screenshot({ path: join(SHOTS_DIR, `remix-${size}.png`), fullPage: true });
      const from = page.getByRole('link', { name: `grid ${parent.slice(1)}` });
      await expect(from.isVisible()).resolves.toBe(true);
      await Promise.all([page.waitForURL(`${t.baseUrl}${parent}`), from.click()]);

      const section = page.getByRole('region', { name: 'Remixes' });
      await expect(section.isVisible()).resolves.toBe(true);
      const listed = await section
        .locator('.gallery a')
        .evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
      expect(listed).toEqual(remixes.slice(0, 20));
      // Every thumbnail loaded (lazy ones once scrolled to).
      await section.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS_DIR, `remixed-grid-${size}.png`), fullPage: true });
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(width).toBeLessThanOrEqual(viewport.width);

      await Promise.all([
        page.waitForURL(/\/remixes\?before=/),
        section.getByRole('link', { name: 'Older remixes →' }).click(),
      ]);
      const older = await page
        .locator('.gallery a')
        .evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
      expect(older).toEqual(remixes.slice(20));
      expectClean(watch);
    }
  });
});
