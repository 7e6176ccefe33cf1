/**
 * Embeds in a real browser (Chromium, see test/support/browser.ts): a page served from another
 * origin (a second local port) frames a grid's embed page with the snippet oEmbed hands out,
 * and the grid shows, its colours read back from a screenshot; the same page cannot frame the
 * grid's full page (the frame shows no grid: Chromium builds word the console message differently). SKIP_BROWSER_TESTS=1 skips it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Frame, Page } from 'playwright-core';
import {
  cellBoxesScript,
  launchChromium,
  Screenshot,
  skipBrowserTests,
  type CellBox,
} from '../support/browser';
import { clientGridData } from '../../src/grid-api/api-examples';
import { blocks, clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

const describeBrowser = skipBrowserTests ? describe.skip : describe;

/** The other site's background, which the embed page's transparent one lets through. */
const HOST_BACKGROUND: [number, number, number] = [10, 20, 30];
const colour = (r: number, c: number): [number, number, number] => [40 + r * 70, 30 + c * 45, 220];

describeBrowser('a grid embedded by another site, in Chromium', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let host: Server | undefined;
  let hostUrl = '';
  let hostPage = '';
  let path = '';

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestApp();
    const body = { ...clientBody(), grid_data: clientGridData(blocks(5, 3, 20, colour)) };
    const posted = await clientPost(t.baseUrl, JSON.stringify(body));
    const pageUrl = posted.json<{ url: string }>().url;
    path = new URL(pageUrl).pathname;
    const oembed = await rawRequest(`${t.baseUrl}/oembed?url=${encodeURIComponent(pageUrl)}`);
    const { html } = oembed.json<{ html: string }>();
    const [r, g, b] = HOST_BACKGROUND;
    hostPage =
      `<!doctype html><html><body style="margin: 0; background: rgb(${r}, ${g}, ${b})">` +
      `<div>${html}</div>` +
      `<iframe id="full" src="${pageUrl}" width="600" height="300"></iframe></body></html>`;
    host = createServer((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(hostPage),
    );
    await new Promise<void>((resolve) => host!.listen(0, '127.0.0.1', resolve));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await new Promise((resolve) => host?.close(resolve));
  });

  async function openHostPage(): Promise<{ page: Page }> {
    const context = await browser!.newContext({
      viewport: { width: 800, height: 600 },
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    await page.goto(hostUrl, { waitUntil: 'load' });
    return { page };
  }

  function frameOf(page: Page, suffix: string): Frame {
    const frame = page.frames().find((f) => f !== page.mainFrame() && f.url().endsWith(suffix));
    if (!frame)
      throw new Error(
        `no frame at ...${suffix}: ${page
          .frames()
          .map((f) => f.url())
          .join(', ')}`,
      );
    return frame;
  }

  it('shows the embed page, its blocks in their colours, on the host page’s background', async () => {
    const { page } = await openHostPage();
    const embed = frameOf(page, `${path}/embed`);
    const frameBox = await page.locator(`iframe[src$="${path}/embed"]`).boundingBox();
    expect(frameBox).not.toBeNull();
    const cells = await embed.evaluate<CellBox[][] | null>(cellBoxesScript('.embed-grid'));
    expect(cells).not.toBeNull();
    // Sized to the grid: the frame shows it whole, without scrolling.
    const [scrollW, scrollH, innerW, innerH] = await embed.evaluate<number[]>(
      '[document.documentElement.scrollWidth, document.documentElement.scrollHeight, innerWidth, innerHeight]',
    );
    expect(scrollW).toBeLessThanOrEqual(innerW);
    expect(scrollH).toBeLessThanOrEqual(innerH);
    expect(await embed.locator('.embed-caption a').getAttribute('target')).toBe('_blank');
    expect(await embed.locator('.embed-caption').isVisible()).toBe(true);

    const shot = new Screenshot(await page.screenshot());
    cells!.forEach((row, r) =>
      row.forEach((cell, c) => {
        const x = frameBox!.x + cell.x + cell.width / 2;
        const y = frameBox!.y + cell.y + cell.height / 2;
        expect([r, c, shot.rgb(x, y)]).toEqual([r, c, colour(r, c)]);
      }),
    );
    // Right of the grid, inside the frame: the host page shows through.
    const right = cells![0][4];
    const beside = shot.rgb(frameBox!.x + right.x + right.width + 20, frameBox!.y + right.y + 10);
    expect(beside).toEqual(HOST_BACKGROUND);
    await page.context().close();
  });

  /**
   * Whether a frame shows grid blocks: its document holds a grid table with cells. Chromium
   * replaces a refused frame's document with an error page of its own (how it words the console
   * message differs between builds, so the test looks at what rendered, not at the words).
   */
  async function showsBlocks(page: Page, selector: string): Promise<boolean> {
    const element = await page.locator(selector).elementHandle();
    const content = await element?.contentFrame();
    if (!content) throw new Error(`${selector} has no frame`);
    return content.evaluate<boolean>('document.querySelectorAll("table.blockgrid td").length > 0');
  }

  it('cannot frame the grid’s full page: the frame shows no grid, while the embed beside it does', async () => {
    const { page } = await openHostPage();
    // The same check sees the embed's grid: a false below means "did not render", not "cannot tell".
    expect(await showsBlocks(page, `iframe[src$="${path}/embed"]`)).toBe(true);
    expect(await showsBlocks(page, 'iframe#full')).toBe(false);
    // Nor does any of the grid's colours reach the screen inside the refused frame.
    const box = await page.locator('iframe#full').boundingBox();
    expect(box).not.toBeNull();
    const shot = new Screenshot(await page.screenshot({ clip: box! }));
    const gridColours = new Set(
      [0, 1, 2].flatMap((r) => [0, 1, 2, 3, 4].map((c) => colour(r, c).join(','))),
    );
    const seen: string[] = [];
    for (let y = 0; y < shot.height; y += 4) {
      for (let x = 0; x < shot.width; x += 4) {
        const rgb = shot.rgb(x, y).join(',');
        if (gridColours.has(rgb)) seen.push(`(${x}, ${y}): ${rgb}`);
      }
    }
    expect(seen).toEqual([]);
    await page.context().close();
  });
});
