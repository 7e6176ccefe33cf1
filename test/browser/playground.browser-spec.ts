/**
 * The playground in Chromium, against the app in process (its page and worker bundles and
 * Pyodide from `npm run build`'s dist/client/). Python takes seconds to start, so one page is
 * opened and used for most of the tests, in order: a remix page, as a learner reaches it from a
 * grid's page. Page-side code is passed as strings (the project compiles without the DOM
 * library), as in browser.browser-spec.ts.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { launchChromium, skipBrowserTests, watchPage, type PageWatch } from '../support/browser';
import { clientBody } from '../support/grid-factory';
import { clientPost } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { testConfig } from '../support/test-config';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const SHOTS_DIR = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');
/** Pyodide's start on a busy 2-core machine, plus the run. */
const RUN_TIMEOUT_MS = 45_000;
/** Posts with longer code are refused by the server: the page must show its 400. */
const MAX_CODE_CELL_CHARS = 400;

/** A program that draws with what any ipythonblocks has: a grid, two blocks set, shown. */
const PROGRAM = [
  'from ipythonblocks import BlockGrid',
  'grid = BlockGrid(4, 3, fill=(10, 20, 30))',
  'grid[0, 0] = (255, 0, 0)',
  'grid[2, 3] = (0, 0, 255)',
  'print("drawn")',
  'grid.show()',
].join('\n');

const describeBrowser = skipBrowserTests ? describe.skip : describe;

interface Outcome {
  stdout: string;
  events: { kind: string; html?: string; wait?: boolean }[];
  result: unknown;
  posts: unknown[];
  grids: Record<string, { ipb_class: string; grid_data: { blocks: number[][][] } }>;
  error: { type: string; message: string } | null;
}

describeBrowser('the playground in Chromium', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let gridPath = '';

  const app = (): TestApp => {
    if (!t) throw new Error('the app did not start');
    return t;
  };

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestApp(testConfig({ MAX_CODE_CELL_CHARS: String(MAX_CODE_CELL_CHARS) }));
    const res = await clientPost(
      app().baseUrl,
      JSON.stringify(clientBody({ code_cells: [PROGRAM] })),
    );
    expect(res.status).toBe(200);
    gridPath = new URL(res.json<{ url: string }>().url).pathname;
    mkdirSync(SHOTS_DIR, { recursive: true });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  async function open(
    path: string,
    viewport = DESKTOP,
    setUp?: (context: BrowserContext) => Promise<unknown>,
  ): Promise<{ page: Page; watch: PageWatch }> {
    if (!browser) throw new Error('Chromium did not start');
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    contexts.push(context);
    await setUp?.(context);
    const page = await context.newPage();
    const watch = watchPage(page, app().baseUrl);
    const res = await page.goto(`${app().baseUrl}${path}`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    if (path.endsWith('/play')) await page.waitForSelector('#playground.ready');
    return { page, watch };
  }

  /**
   * Polls a page-side expression until it is true. Not waitForFunction: its string predicates
   * are compiled with eval in the page, which the playground's policy refuses (as it should).
   */
  async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await page.evaluate<boolean>(expression))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const status = (page: Page) => page.locator('#play-status').innerText();

  /** Waits for the run the page started to end, and answers its status line. */
  async function finished(page: Page): Promise<string> {
    await until(
      page,
      `!document.querySelector('#play-run').disabled &&
       /^(Finished|Stopped|Python)/.test(document.querySelector('#play-status').textContent)`,
      RUN_TIMEOUT_MS,
    );
    return status(page);
  }

  const seam = <T = Outcome>(page: Page, code: string, options: object = {}) =>
    page.evaluate<T>(
      `window.ipbPlayground.run(${JSON.stringify(code)}, ${JSON.stringify(options)})`,
    );

  describe('a remix page, opened from its grid page', () => {
    let page: Page;
    let watch: PageWatch;

    beforeAll(async () => {
      ({ page, watch } = await open(gridPath));
    }, RUN_TIMEOUT_MS);

    it('follows "Open in playground" to the editor holding the grid\'s code, Python not loaded yet', async () => {
      await page.getByRole('link', { name: 'Open in playground' }).click();
      await page.waitForURL(`**${gridPath}/play`);
      await page.waitForSelector('#playground.ready');
      await expect(page.locator('.cm-content').innerText()).resolves.toBe(PROGRAM);
      for (const name of ['Run', 'Stop', 'Post']) {
        await expect(page.getByRole('button', { name, exact: true }).count()).resolves.toBe(1);
      }
      // Post waits for a grid, and says so.
      await expect(page.getByRole('button', { name: 'Post' }).isDisabled()).resolves.toBe(true);
      await expect(page.locator('#play-post-reason').isVisible()).resolves.toBe(true);
      await page.waitForTimeout(300);
      expect(watch.requests.filter((url) => /pyodide|worker\./.test(url))).toEqual([]);
    });

    it('Run draws the table and prints, as the notebook would', async () => {
      const started = Date.now();
      await page.getByRole('button', { name: 'Run' }).click();
      // The status line is a live region: it announces what was drawn, in words.
      await expect(finished(page)).resolves.toBe(
        'Finished. Drew a 4 × 3 BlockGrid of 12 coloured blocks. Mostly black (10 of 12 blocks), ' +
          'then red (1) and blue (1). Row 1: 1 red, 3 black. Row 2: all black. Row 3: 3 black, 1 blue.',
      );
      await expect(page.locator('#play-output .grid-words summary').innerText()).resolves.toBe(
        'Describe this grid',
      );
      console.log(`first run, cold: ${Date.now() - started} ms`);
      const cells = page.locator('#play-output table.blockgrid td');
      await expect(cells.count()).resolves.toBe(12);
      // Drawn by the table's inline styles, inside the display's shadow root.
      const colours = await page.evaluate<string[]>(`[
        ...document.querySelector('#play-output .play-display').shadowRoot.querySelectorAll('td'),
      ].map((td) => getComputedStyle(td).backgroundColor)`);
      expect([colours[0], colours[11]]).toEqual(['rgb(255, 0, 0)', 'rgb(0, 0, 255)']);
      await expect(page.locator('#play-output .play-stdout').innerText()).resolves.toBe('drawn\n');
      // Two columns at desktop width, and nothing wider than the window.
      await expect(
        page.evaluate('document.documentElement.scrollWidth'),
      ).resolves.toBeLessThanOrEqual(DESKTOP.width);
      await page.screenshot({
        path: join(SHOTS_DIR, 'playground-desktop-run.png'),
        fullPage: true,
      });
      expect(watch.offsite).toEqual([]);
      expect(watch.errors).toEqual([]);
    });

    it('has no WCAG A or AA violation axe-core can find, with its output on show', async () => {
      // Evaluated through the debugging protocol, which the page's policy does not govern.
      await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
      const violations = await page.evaluate<{ id: string; nodes: { target: string[] }[] }[]>(
        `axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }).then((r) =>
          r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
      );
      expect(violations).toEqual([]);
    });

    it('Ctrl+Enter in the editor runs the code again', async () => {
      await page.evaluate(`document.querySelector('#play-output').replaceChildren()`);
      await page.locator('.cm-content').click();
      await page.keyboard.press('Control+Enter');
      await expect(finished(page)).resolves.toMatch(/^Finished\. Drew a 4 × 3 BlockGrid/);
      await expect(page.locator('#play-output table.blockgrid td').count()).resolves.toBe(12);
      // The key ran the program; it typed no new line into it.
      await expect(page.locator('.cm-content').innerText()).resolves.toBe(PROGRAM);
    });

    it('window.ipbPlayground.run answers the outcome, in a fresh namespace each run', async () => {
      const outcome = await seam(page, `x = 41\nprint(x + 1)\nx`);
      expect(Object.keys(outcome).sort()).toEqual(
        ['error', 'events', 'grids', 'posts', 'result', 'stdout'].sort(),
      );
      expect(outcome).toMatchObject({ stdout: '42\n', events: [], result: { text: '41' } });
      const next = await seam(page, 'print(x)');
      expect(next.error).toEqual({ type: 'NameError', message: "name 'x' is not defined" });
      const drawn = await seam(page, PROGRAM);
      expect(drawn.events.map((e) => e.kind)).toEqual(['html']);
      expect(drawn.grids.grid.ipb_class).toBe('BlockGrid');
      expect(drawn.grids.grid.grid_data.blocks[0][0]).toEqual([255, 0, 0, 20]);
    });

    it('shows an error as the exception, its message and the line of the code', async () => {
      await seam(page, 'a = 1\nb = [a]\nb[3]');
      const error = page.locator('#play-output .play-error-title');
      await expect(error.innerText()).resolves.toBe('IndexError: list index out of range (line 3)');
      await expect(page.locator('#play-output .play-error details').count()).resolves.toBe(1);
    });

    it('runs no script a program displays, and keeps the markup that is harmless', async () => {
      const html =
        '<img src="/x-never-fetched.png" onerror="window.pwned = 1"><script>window.pwned = 2</script>' +
        '<b id="kept">kept</b><a href="javascript:window.pwned=3">link</a>' +
        '<iframe srcdoc="<script>parent.pwned=4</script>"></iframe>' +
        '<div style="position: fixed; inset: 0; z-index: 9999">cover</div>';
      const outcome = await seam(
        page,
        `from IPython.display import display, HTML\ndisplay(HTML(${JSON.stringify(html)}))`,
      );
      expect(outcome.events).toEqual([{ kind: 'html', html }]);
      await page.waitForTimeout(300);
      await expect(page.evaluate('window.pwned')).resolves.toBeUndefined();
      await expect(page.locator('#play-output #kept').innerText()).resolves.toBe('kept');
      await expect(page.locator('#play-output script, #play-output iframe').count()).resolves.toBe(
        0,
      );
      await expect(page.locator('#play-output a').count()).resolves.toBe(0);
      expect(watch.requests.filter((url) => url.includes('x-never-fetched'))).toEqual([]);
      // Positioned as it likes, it stays inside its box: the buttons can still be pressed.
      await page.getByRole('button', { name: 'Run' }).click({ trial: true, timeout: 2000 });
    });

    it('plays an animation live: each frame shows as it is displayed, replacing the one before', async () => {
      await page.evaluate(`window.frameTimes = [];
        new MutationObserver(() => {
          const shown = document.querySelectorAll('#play-output .play-display');
          if (shown.length) window.frameTimes.push([performance.now(), shown.length]);
        }).observe(document.querySelector('#play-output'), { childList: true })`);
      const code = [
        'import time',
        'from IPython.display import display, HTML, clear_output',
        'for i in range(3):',
        '    clear_output(wait=True)',
        '    display(HTML(f\'<p class="frame">frame {i}</p>\'))',
        '    time.sleep(0.4)',
      ].join('\n');
      const outcome = await seam(page, code);
      expect(outcome.events.map((e) => e.kind)).toEqual([
        'clear',
        'html',
        'clear',
        'html',
        'clear',
        'html',
      ]);
      const times = await page.evaluate<[number, number][]>('window.frameTimes');
      // One frame on show at a time, each about 0.4 s after the one before (not all at the end).
      expect(times.every(([, shown]) => shown === 1)).toBe(true);
      expect(times.length).toBeGreaterThanOrEqual(3);
      expect(times[times.length - 1][0] - times[0][0]).toBeGreaterThan(600);
      await expect(page.locator('#play-output .frame').innerText()).resolves.toBe('frame 2');
    });

    it('stops an endless loop at the time limit, stays responsive, and the next run works', async () => {
      const stopped = page
        .evaluate(
          `window.ipbPlayground.run('while True: pass', { timeLimitMs: 1500 })
          .then(() => 'finished', (err) => err.message)`,
        )
        .then((m) => m as string);
      await until(page, `document.querySelector('#play-status').textContent === 'Running…'`);
      const t0 = Date.now();
      await page.evaluate('1 + 1');
      expect(Date.now() - t0).toBeLessThan(500);
      await expect(stopped).resolves.toMatch(/^Stopped after 1\.5 s/);
      await expect(page.locator('#play-output .play-notice').innerText()).resolves.toMatch(
        /^Stopped after 1\.5 s/,
      );
      await expect(seam(page, 'print("again")')).resolves.toMatchObject({ stdout: 'again\n' });
    });

    it('survives a program that eats memory: MemoryError, or stopped at the limit; then runs on', async () => {
      const big = await seam(page, 'b = bytearray(2 ** 31 - 1)');
      expect(big.error?.type).toBe('MemoryError');
      const eater = 'chunks = []\nwhile True:\n    chunks.append(bytearray(64 * 1024 * 1024))';
      const ended = await page.evaluate<string>(
        `window.ipbPlayground.run(${JSON.stringify(eater)}, { timeLimitMs: 3000 })
          .then((o) => o.error ? o.error.type : 'finished', (e) => e.message)`,
      );
      expect(ended).toMatch(/^(MemoryError|Stopped after 3 s)/);
      await expect(seam(page, 'print(len(bytearray(10)))')).resolves.toMatchObject({
        stdout: '10\n',
      });
    });

    it('Stop ends a running program; Run works after it', async () => {
      const stopped = page
        .evaluate(
          `window.ipbPlayground.run('while True: pass').then(() => 'finished', (e) => e.message)`,
        )
        .then((m) => m as string);
      await until(page, `!document.querySelector('#play-stop').disabled`);
      await until(page, `document.querySelector('#play-status').textContent === 'Running…'`);
      await page.getByRole('button', { name: 'Stop' }).click();
      await expect(stopped).resolves.toMatch(/^Stopped/);
      await expect(status(page)).resolves.toMatch(/^Stopped/);
      await page.getByRole('button', { name: 'Run' }).click();
      await expect(finished(page)).resolves.toMatch(/^Finished\. Drew a 4 × 3 BlockGrid/);
      await expect(page.locator('#play-output table.blockgrid').count()).resolves.toBe(1);
    });

    it('keeps a snapshot of the started Python for the next visit, and starts afresh from a bad one', async () => {
      const snapshotKeys = (p: Page) =>
        p.evaluate<string[]>(
          `caches.open('ipb-playground-python').then((c) => c.keys()).then((keys) =>
            keys.map((k) => new URL(k.url).pathname + new URL(k.url).search))`,
        );
      await until(
        page,
        `caches.open('ipb-playground-python').then((c) => c.keys()).then((k) => k.length === 1)`,
      );
      const [key] = await snapshotKeys(page);
      expect(key).toMatch(/^\/static\/play\/worker\.[A-Z0-9]{8}\.js\?python-snapshot$/);

      // A second visit restores it (and leaves no marker of a restore in progress).
      const again = await page.context().newPage();
      await again.goto(`${app().baseUrl}/play`);
      await again.waitForSelector('#playground.ready');
      await expect(seam(again, 'print(6 * 7)')).resolves.toMatchObject({ stdout: '42\n' });
      await until(
        again,
        `caches.open('ipb-playground-python').then((c) => c.keys()).then((k) => k.length === 1)`,
      );

      // One that does not restore is dropped, Python starts in full, and a new one is kept.
      await again.evaluate(`caches.open('ipb-playground-python').then((c) =>
        c.put(${JSON.stringify(key)}, new Response(new Uint8Array(1000))))`);
      await again.reload();
      await again.waitForSelector('#playground.ready');
      await expect(seam(again, 'print(6 * 7)')).resolves.toMatchObject({ stdout: '42\n' });
      await until(
        again,
        `caches.open('ipb-playground-python').then((c) => c.match(${JSON.stringify(key)}))
          .then((r) => r.arrayBuffer()).then((b) => b.byteLength > 1000000)`,
        RUN_TIMEOUT_MS,
      );
      await again.close();
    });

    it("shows the server's 4xx message when a post is refused", async () => {
      const long = `# ${'x'.repeat(MAX_CODE_CELL_CHARS)}\n${PROGRAM}`;
      await seam(page, long);
      await page.getByRole('button', { name: 'Post' }).click();
      await until(page, `document.querySelector('#play-post-message').textContent !== ''`);
      await expect(page.locator('#play-post-message').innerText()).resolves.toMatch(
        /^Not posted: Invalid grid post: code_cells\[0\]: .*400/,
      );
      // The refused post is the one error this page logs.
      expect(watch.errors).toEqual([expect.stringMatching(/status of 400 .*\/post\)$/)]);
      watch.errors.length = 0;
    });

    it('Post sends the grid shown last with the code as its cell and its parent, then opens its page', async () => {
      await page.getByRole('button', { name: 'Run' }).click();
      await expect(finished(page)).resolves.toMatch(/^Finished\. Drew a 4 × 3 BlockGrid/);
      const posts: Request[] = [];
      page.on('request', (req) => {
        if (req.method() === 'POST' && new URL(req.url()).pathname === '/post') posts.push(req);
      });
      await page.getByRole('button', { name: 'Post' }).click();
      await page.waitForURL(/\/[A-Za-z0-9]{6,}$/, { timeout: 15_000 });
      expect(posts).toHaveLength(1);
      const body = JSON.parse(posts[0].postData() ?? '{}') as Record<string, unknown>;
      expect(Object.keys(body)).toEqual([
        'python_version',
        'ipb_version',
        'ipb_class',
        'code_cells',
        'secret',
        'grid_data',
        'remix_of',
      ]);
      expect(body).toMatchObject({
        ipb_class: 'BlockGrid',
        code_cells: [PROGRAM],
        secret: false,
        remix_of: gridPath.slice(1),
        grid_data: { width: 4, height: 3, lines_on: true },
      });
      expect(body.python_version).toHaveLength(5);
      const newPath = new URL(page.url()).pathname;
      expect(newPath).not.toBe(gridPath);
      await expect(page.locator('.grid-figure table.blockgrid td').count()).resolves.toBe(12);
      expect(watch.offsite).toEqual([]);
      expect(watch.errors).toEqual([]);
    });
  });

  it.each([
    [
      'its WebAssembly cannot be downloaded',
      (context: BrowserContext) => context.route('**/*.wasm', (route) => route.abort()),
      /downloading pyodide\.asm\.wasm failed/,
    ],
    [
      'WebAssembly is blocked (a worker under the site-wide policy)',
      (context: BrowserContext) =>
        context.route('**/static/play/worker.*.js', async (route) => {
          const res = await route.fetch();
          const headers = res.headers();
          headers['content-security-policy'] = headers['content-security-policy']
            .replace(" 'wasm-unsafe-eval'", '')
            .replace(";worker-src 'self'", '');
          await route.fulfill({ response: res, headers });
        }),
      /WebAssembly is blocked/,
    ],
  ])('says Python cannot start when %s, at once', async (_what, setUp, reason) => {
    const { page } = await open('/play', DESKTOP, setUp);
    const started = Date.now();
    await page.getByRole('button', { name: 'Run' }).click();
    await expect(finished(page)).resolves.toMatch(/^Python could not start in this browser/);
    expect(Date.now() - started).toBeLessThan(20_000);
    await expect(page.locator('#play-output .play-notice').innerText()).resolves.toMatch(reason);
    await expect(page.getByRole('button', { name: 'Run' }).isEnabled()).resolves.toBe(true);
  });

  it('fits a phone: no sideways scroll, a wide grid scrolls inside the output', async () => {
    const { page, watch } = await open('/play', PHONE);
    await page.screenshot({ path: join(SHOTS_DIR, 'playground-phone.png'), fullPage: true });
    const wide = 'from ipythonblocks import BlockGrid\ngrid = BlockGrid(60, 4)\ngrid.show()';
    await seam(page, wide);
    await expect(page.locator('#play-output table.blockgrid').count()).resolves.toBe(1);
    await expect(
      page.evaluate('document.documentElement.scrollWidth'),
    ).resolves.toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(SHOTS_DIR, 'playground-phone-run.png'), fullPage: true });
    expect(watch.offsite).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
