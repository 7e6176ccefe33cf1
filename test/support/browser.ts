import packagedChromium from '@sparticuz/chromium';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';

/** A system Chromium: CHROMIUM_PATH, or Debian's (`apt-get install chromium`). */
const SYSTEM_CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Where the Chromium inside the npm package @sparticuz/chromium is inflated, once: under
 * node_modules, not the temp folder, so a test run leaves nothing behind and the next one finds
 * it there.
 */
const PACKAGED_CHROMIUM_DIR = join(__dirname, '..', '..', 'node_modules', '.cache', 'ipb-chromium');

/** SKIP_BROWSER_TESTS=1 skips the browser specs; nothing else does, so CI cannot skip them by accident. */
export const skipBrowserTests = process.env.SKIP_BROWSER_TESTS === '1';

/**
 * The Chromium the browser specs drive: a system one when CHROMIUM_PATH is set or Debian's is
 * installed, otherwise the one that ships inside the npm package @sparticuz/chromium (nothing is
 * downloaded at run time). A CHROMIUM_PATH that names no file is an error, not a fallback.
 */
export async function chromiumExecutable(): Promise<string> {
  if (process.env.CHROMIUM_PATH !== undefined || existsSync(SYSTEM_CHROMIUM)) {
    if (!existsSync(SYSTEM_CHROMIUM)) {
      throw new Error(`CHROMIUM_PATH names no file: ${SYSTEM_CHROMIUM}`);
    }
    return SYSTEM_CHROMIUM;
  }
  mkdirSync(PACKAGED_CHROMIUM_DIR, { recursive: true });
  // The package inflates its brotli archives into the OS temp folder: point it at the cache.
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = PACKAGED_CHROMIUM_DIR;
  try {
    return await packagedChromium.executablePath();
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  }
}

/**
 * Chromium as the browser specs run it, with playwright's headless defaults and the flags that
 * keep it off the network (this machine's network is closed; the package's own `args` list, for
 * serverless hosts, crashes it here).
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumExecutable(),
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
