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
async function axeViolations(
  page: Page,
  runOnly: { type: 'tag' | 'rule'; values: string[] } = { type: 'tag', values: WCAG_A_AA },
): Promise<string[]> {
  if (!(await page.evaluate('typeof axe !== "undefined"')))
    await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate<AxeViolation[], typeof runOnly>(
    async (only) =>
      (
        await (
          window as unknown as {
            axe: { run(o: unknown): Promise<{ violations: AxeViolation[] }> };
          }
        ).axe.run({ runOnly: only })
      ).violations,
    runOnly,
  );
  return violations.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`,
    ),
  );
}

/**
 * What has focus ("a: Skip to content") and what is wrong with its focus ring (null when it is
 * drawn, 2 px or more, at 3:1 or more against the background around it: WCAG 1.4.11).
 */
const FOCUS_PROBE = `(() => {
  let el = document.activeElement;
  if (!el || el === document.body) return null;
  const name = (el.getAttribute('aria-label') || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
  const what = el.tagName.toLowerCase() + (el.getAttribute('role') ? '[role=' + el.getAttribute('role') + ']' : '') + ': ' + name;
  // The ring may be drawn by a wrapper that shows its child has focus (CodeMirror's .cm-focused).
  let ringed = el;
  for (let up = 0; up < 3 && ringed; up++) {
    const st = getComputedStyle(ringed);
    if (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2) break;
    ringed = ringed.parentElement;
  }
  if (!ringed || getComputedStyle(ringed).outlineStyle === 'none') return { what, ring: 'no outline' };
  const style = getComputedStyle(ringed);
  el = ringed;
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  let bg = el.parentElement;
  while (bg && (getComputedStyle(bg).backgroundColor === 'rgba(0, 0, 0, 0)' || getComputedStyle(bg).backgroundColor === 'transparent')) bg = bg.parentElement;
  const back = bg ? rgb(getComputedStyle(bg).backgroundColor) : [255, 255, 255];
  const [a, b] = [lum(rgb(style.outlineColor)), lum(back)].sort((x, y) => y - x);
  const ratio = (a + 0.05) / (b + 0.05);
  return { what, ring: ratio >= 3 ? null : 'contrast ' + ratio.toFixed(2) + ' on rgb(' + back.join(', ') + ')' };
})()`;

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
    paths.playground = '/play';
    paths.remixPlayground = `${paths.grid}/play`;
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

  it('the playground by keyboard: the editor, then Run, each with a focus ring of 3:1 or more', async () => {
    const page = await browser!.newPage({ viewport: WIDTHS.phone });
    await page.goto(`${t!.baseUrl}${paths.playground}`);
    await page.waitForSelector('#playground.ready');
    const stops: { what: string; ring: string | null }[] = [];
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      // CodeMirror marks its focus (.cm-focused, which draws the ring) a moment after the event.
      await page.waitForTimeout(100);
      const stop = await page.evaluate<{ what: string; ring: string | null } | null>(FOCUS_PROBE);
      if (stop === null || stops.some((s) => s.what === stop.what)) break;
      stops.push(stop);
      // The editor keeps Tab for indenting; Escape then Tab leaves it, as CodeMirror documents.
      if (stop.what.startsWith('div[role=textbox]')) await page.keyboard.press('Escape');
    }
    const order = stops.map((s) => s.what.replace(/:.*/, ''));
    const editor = order.indexOf('div[role=textbox]');
    expect(editor).toBeGreaterThan(0);
    expect(order.slice(editor + 1)).toContain('button');
    expect(stops.filter((s) => s.ring !== null)).toEqual([]);
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

  it('the grid page by keyboard: every tab stop in order, each with a focus ring of 3:1 or more', async () => {
    const page = await browser!.newPage({ viewport: WIDTHS.phone });
    await page.goto(`${t!.baseUrl}${paths.grid}`);
    const stops: { what: string; ring: string | null }[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const stop = await page.evaluate<{ what: string; ring: string | null } | null>(FOCUS_PROBE);
      if (stop === null || stops.some((s) => s.what === stop.what)) break;
      stops.push(stop);
    }
    const order = stops.map((s) => s.what);
    expect(order[0]).toBe('a: Skip to content');
    for (const reached of [
      'div[role=img]: An 8 × 8 BlockGrid of 64 coloured blocks',
      'summary: Describe this grid',
      'pre[role=group]: Code cell 1',
      'pre[role=group]: Code cell 2',
    ]) {
      expect(order).toContain(reached);
    }
    expect(order.indexOf('pre[role=group]: Code cell 1')).toBeLessThan(
      order.indexOf('pre[role=group]: Code cell 2'),
    );
    expect(stops.filter((s) => s.ring !== null)).toEqual([]);
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
    'playground',
    'remixPlayground',
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
      // Headings in order too (a best practice, not a WCAG rule: Swagger UI's page broke it).
      expect(await axeViolations(page, { type: 'rule', values: ['heading-order'] })).toEqual([]);
      await context.close();
    });
  }
});
