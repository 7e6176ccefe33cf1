/**
 * Every kind of page checked with axe-core (WCAG 2.0 and 2.1, levels A and AA) in Chromium at
 * desktop and phone width: any violation fails, named with the elements it was found on. axe is
 * injected into the page, so the test's browser context bypasses the page's CSP (the test's
 * context only: the site's policy is checked by the other browser specs).
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, skipBrowserTests } from '../support/browser';
import { clientBody } from '../support/grid-factory';
import { clientPost } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_A_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[]; failureSummary: string }[];
}

/** axe's violations on the page as short lines: rule, then where and why. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate<AxeViolation[], string[]>(
    async (tags) =>
      (
        await (
          window as unknown as {
            axe: { run(o: unknown): Promise<{ violations: AxeViolation[] }> };
          }
        ).axe.run({ runOnly: { type: 'tag', values: tags } })
      ).violations,
    WCAG_A_AA,
  );
  return violations.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`,
    ),
  );
}

const describeBrowser = skipBrowserTests ? describe.skip : describe;

describeBrowser('accessibility (axe-core, WCAG 2.1 A and AA)', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const paths: Record<string, string> = {};

  async function post(body: object): Promise<string> {
    const res = await clientPost(t!.baseUrl, JSON.stringify(body));
    expect(res.status).toBe(200);
    return new URL(res.json<{ url: string }>().url).pathname;
  }

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestApp();
    const code = [
      'from ipythonblocks import BlockGrid\ngrid = BlockGrid(8, 8)',
      'for i in range(len(grid)):\n    print(i)  # a long comment that does not fit on a phone screen at all, so the code block scrolls',
    ];
    paths.grid = await post(clientBody({ code_cells: code }, 8, 8));
    paths.secret = await post(clientBody({ code_cells: code, secret: true }, 5, 3));
    paths.imageGrid = await post(clientBody({ code_cells: null, ipb_class: 'ImageGrid' }, 6, 4));
    paths.noLines = await post({
      ...clientBody({ code_cells: null }, 4, 4),
      grid_data: { ...clientBody({}, 4, 4).grid_data, lines_on: false },
    });
    paths.embed = `${paths.grid}/embed`;
    Object.assign(paths, {
      landing: '/',
      about: '/about',
      recent: '/recent',
      missing: '/no-such-grid',
      apiDocs: '/api/docs',
    });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await t?.close();
  });

  it('the grid figure is named and described in the accessibility tree; its cells are not there', async () => {
    const page = await browser!.newPage();
    await page.goto(`${t!.baseUrl}${paths.grid}`);
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: {
        role?: { value: string };
        name?: { value: string };
        description?: { value: string };
      }[];
    };
    const words = await page.locator('.grid-words p').textContent();
    const figure = nodes.filter(
      (n) => n.role?.value === 'image' && n.name?.value.includes('BlockGrid'),
    );
    expect(figure.map((n) => [n.name?.value, n.description?.value])).toEqual([
      ['An 8 × 8 BlockGrid of 64 coloured blocks', words],
    ]);
    expect(words).toMatch(/^(Mostly )?\w/);
    // No table, rows or cells of the grid: a screen reader's table keys do not land in 64 cells.
    expect(
      nodes.filter((n) => ['table', 'row', 'cell', 'gridcell'].includes(n.role?.value ?? '')),
    ).toEqual([]);
    await page.close();
  });

  it.each([
    ['landing', '.showcase table'],
    ['apiDocs', '.swagger-ui .info table'],
  ])('at 320 px the %s page loses nothing off its right edge (%s)', async (name, selector) => {
    const page = await browser!.newPage({ viewport: { width: 320, height: 700 } });
    await page.goto(`${t!.baseUrl}${paths[name]}`);
    await page.locator(selector).waitFor();
    const box = await page.evaluate<{ right: number; page: number }, string>(
      (sel) => ({
        right: document.querySelector(sel)!.getBoundingClientRect().right,
        page: document.documentElement.scrollWidth,
      }),
      selector,
    );
    expect(box.right).toBeLessThanOrEqual(320);
    expect(box.page).toBeLessThanOrEqual(320);
    await page.close();
  });

  const pages = [
    'landing',
    'about',
    'recent',
    'grid',
    'secret',
    'imageGrid',
    'noLines',
    'embed',
    'missing',
    'apiDocs',
  ];
  for (const [size, viewport] of Object.entries(WIDTHS)) {
    it.each(pages)(`%s at ${size} width has no violations`, async (name) => {
      const context = await browser!.newContext({ viewport, bypassCSP: true });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${t!.baseUrl}${paths[name]}`);
      if (name === 'apiDocs') await page.locator('.swagger-ui .info .title').waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await context.close();
    });
  }
});
