import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** SKIP_BROWSER_TESTS=1 skips the browser specs; nothing else does, so CI cannot skip them by accident. */
export const skipBrowserTests = process.env.SKIP_BROWSER_TESTS === '1';

/** Chromium as the browser specs run it; a missing binary fails with what to install. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need it. Install it with ` +
        '`apt-get update && apt-get install chromium` (Debian), or set CHROMIUM_PATH to a ' +
        'Chromium binary. SKIP_BROWSER_TESTS=1 skips these tests (never in CI).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page did that it should not have: off-site requests, console errors, uncaught errors. */
export interface PageWatch {
  requests: string[];
  offsite: string[];
  errors: string[];
}

/**
 * Records every request the page makes and every console error, page error and failed request
 * (a CSP violation is a console error). `origin` is the app's `http://127.0.0.1:<port>`.
 */
export function watchPage(page: Page, origin: string): PageWatch {
  const watch: PageWatch = { requests: [], offsite: [], errors: [] };
  page.on('request', (req) => {
    const url = req.url();
    watch.requests.push(url);
    // data: and blob: URLs stay inside the page; everything else must come from the app.
    if (!/^(data|blob):/.test(url) && new URL(url).origin !== origin) watch.offsite.push(url);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') watch.errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => watch.errors.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) =>
    watch.errors.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? '?'})`),
  );
  return watch;
}

/** A decoded PNG screenshot with a pixel reader (page CSS pixels at device scale factor 1). */
export class Screenshot {
  private readonly png: PNG;

  constructor(buffer: Buffer) {
    this.png = PNG.sync.read(buffer);
  }

  get width(): number {
    return this.png.width;
  }

  get height(): number {
    return this.png.height;
  }

  rgb(x: number, y: number): [number, number, number] {
    const px = Math.floor(x);
    const py = Math.floor(y);
    if (px < 0 || py < 0 || px >= this.png.width || py >= this.png.height) {
      throw new Error(`pixel (${px}, ${py}) outside the ${this.png.width}x${this.png.height} shot`);
    }
    const i = (py * this.png.width + px) * 4;
    const d = this.png.data;
    return [d[i], d[i + 1], d[i + 2]];
  }
}

/** A table cell's box in page coordinates (scroll offsets added). */
export interface CellBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Page-side code (a string: the project compiles without the DOM library) that answers the box
 * of every `td` of the first `table.blockgrid` under `selector`, row by row.
 */
export function cellBoxesScript(selector: string): string {
  return `(() => {
    const table = document.querySelector(${JSON.stringify(selector)} + ' table.blockgrid');
    if (!table) return null;
    return Array.from(table.rows, (tr) => Array.from(tr.cells, (td) => {
      const r = td.getBoundingClientRect();
      return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
    }));
  })()`;
}
