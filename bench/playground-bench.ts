/**
 * `npm run bench:playground`: what the playground costs a learner, in headless Chromium against
 * the production build (the script builds first), started with the Procfile's `web:` command.
 *
 * - the bytes `/play` downloads before Run is pressed (compressed, headers included; goal
 *   <= 150 KB), and that none of them is Pyodide;
 * - from pressing Run to the program's first output, with an empty cache (goal <= 6 s) and with
 *   the cache of a first visit (goal <= 2.5 s): the starter program, as a learner runs it;
 * - once Python is ready, a 16x16 and a 100x100 loop program through the seam, run to the end
 *   and shown (goals <= 50 ms and <= 1 s; the median of RUNS);
 * - a grid page's weight with everything it loads, and that it loads no script.
 *
 * Env: BENCH_DATABASE_URL (default: local ipb_bench_play, created if missing), BENCH_RUNS
 * (default 7). Figures on a shared machine include what others ran: run it twice.
 */
import type { Browser, Page, Response } from 'playwright-core';
import { clientBody } from '../test/support/grid-factory';
import { clientPost } from '../test/support/http';
import { launchChromium } from '../test/support/browser';
import { freePort, procfileWebArgs, ServerProcess } from '../test/support/server-process';
import {
  benchDatabaseUrl,
  createBenchDatabase,
  killOnExit,
  machineInfo,
  runMigrations,
  writeResults,
} from './support';

const DB_URL = benchDatabaseUrl('ipb_bench_play');
const RUNS = Number(process.env.BENCH_RUNS || 7);

const loopProgram = (size: number) =>
  [
    'from ipythonblocks import BlockGrid',
    `grid = BlockGrid(${size}, ${size})`,
    'for row in range(grid.height):',
    '    for col in range(grid.width):',
    `        grid[row, col] = (row * ${Math.floor(256 / size)}, col * ${Math.floor(256 / size)}, 128)`,
    'grid',
  ].join('\n');

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Transfer {
  url: string;
  bytes: number;
}

/** Every response the page gets, with its size on the wire (encoded body and headers). */
function recordTransfers(page: Page): () => Promise<Transfer[]> {
  const responses: Response[] = [];
  page.on('response', (res) => responses.push(res));
  return async () =>
    Promise.all(
      responses.map(async (res) => {
        await res.finished();
        const sizes = await res.request().sizes();
        return {
          url: new URL(res.url()).pathname,
          bytes: sizes.responseBodySize + sizes.responseHeadersSize,
        };
      }),
    );
}

/** Presses Run and answers the ms until the output area shows something, and what it shows. */
async function runToFirstOutput(page: Page): Promise<{ ms: number; output: string }> {
  await page.evaluate(`window.firstOutput = new Promise((resolve) => {
    const area = document.querySelector('#play-output');
    new MutationObserver((_, observer) => {
      if (area.childElementCount > 0) { observer.disconnect(); resolve(performance.now()); }
    }).observe(area, { childList: true });
  });
  true`);
  const pressed = await page.evaluate<number>(`(() => {
    const now = performance.now();
    document.querySelector('#play-run').click();
    return now;
  })()`);
  const shown = await page.evaluate<number>('window.firstOutput');
  const output = await page.evaluate<string>(`(() => {
    const first = document.querySelector('#play-output').firstElementChild;
    if (first.shadowRoot) return first.shadowRoot.querySelector('table') ? 'a grid' : 'a display';
    const error = first.querySelector('.play-error-title');
    return error ? 'an error: ' + error.textContent : first.textContent.slice(0, 60);
  })()`);
  return { ms: Math.round(shown - pressed), output };
}

/** ms for the seam to run `code` and show it, once Python is ready: the median of RUNS. */
async function seamMs(page: Page, code: string): Promise<{ ms: number; error: unknown }> {
  const times: number[] = [];
  let error: unknown = null;
  for (let i = 0; i < RUNS; i++) {
    const { ms, outcome } = await page.evaluate<{ ms: number; outcome: { error: unknown } }>(
      `(async () => {
        const started = performance.now();
        const outcome = await window.ipbPlayground.run(${JSON.stringify(code)});
        return { ms: performance.now() - started, outcome };
      })()`,
    );
    times.push(ms);
    error = outcome.error;
  }
  return { ms: Math.round(median(times) * 10) / 10, error };
}

async function measure(browser: Browser, baseUrl: string, gridPath: string) {
  // First visit: empty cache.
  console.log('first visit (empty cache)');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const transfers = recordTransfers(page);
  await page.goto(`${baseUrl}/play`, { waitUntil: 'networkidle' });
  await page.waitForSelector('#playground.ready');
  const beforeRun = await transfers();
  const cold = await runToFirstOutput(page);
  while (await page.evaluate<boolean>('document.querySelector("#play-run").disabled')) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  console.log(`  first output after ${cold.ms} ms`);
  // Second visit, in the same browser: what the first left in its cache.
  const again = await context.newPage();
  await again.goto(`${baseUrl}/play`, { waitUntil: 'networkidle' });
  await again.waitForSelector('#playground.ready');
  const warm = await runToFirstOutput(again);

  console.log(`second visit: first output after ${warm.ms} ms; loops, ${RUNS} runs each`);
  const small = await seamMs(again, loopProgram(16));
  const large = await seamMs(again, loopProgram(100));
  await context.close();

  const gridContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const gridPage = await gridContext.newPage();
  const gridTransfers = recordTransfers(gridPage);
  await gridPage.goto(`${baseUrl}${gridPath}`, { waitUntil: 'networkidle' });
  const grid = await gridTransfers();
  const scripts = await gridPage.evaluate<number>('document.scripts.length');
  await gridContext.close();

  const sum = (list: Transfer[]) => list.reduce((total, t) => total + t.bytes, 0);
  return {
    playBeforeRun: {
      kb: Math.round(sum(beforeRun) / 102.4) / 10,
      goalKb: 150,
      files: beforeRun,
      pyodideFetched: beforeRun.some((t) => t.url.includes('/pyodide/')),
    },
    firstOutputCold: { ...cold, goalMs: 6000 },
    firstOutputWarm: { ...warm, goalMs: 2500 },
    loop16x16: { ...small, goalMs: 50 },
    loop100x100: { ...large, goalMs: 1000 },
    gridPage: { kb: Math.round(sum(grid) / 102.4) / 10, files: grid, scripts },
  };
}

async function main(): Promise<void> {
  await createBenchDatabase(DB_URL);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: DB_URL,
    DATABASE_SSL: 'false',
    HASHIDS_PUBLIC_SALT: 'public',
    HASHIDS_SECRET_SALT: 'secret',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
  };
  console.log('migrating the bench database, starting the build');
  await runMigrations(env);
  const server = await ServerProcess.startBuild(procfileWebArgs(), env, { port });
  killOnExit(server.child);
  const browser = await launchChromium();
  try {
    const posted = await clientPost(server.baseUrl, JSON.stringify(clientBody()));
    const gridPath = new URL(posted.json<{ url: string }>().url).pathname;
    const results = await measure(browser, server.baseUrl, gridPath);
    const rows: [string, string, string][] = [
      ['/play before Run', `${results.playBeforeRun.kb} KB`, '<= 150 KB'],
      [
        'Run to first output, cold',
        `${results.firstOutputCold.ms} ms (${results.firstOutputCold.output})`,
        '<= 6000 ms',
      ],
      [
        'Run to first output, warm',
        `${results.firstOutputWarm.ms} ms (${results.firstOutputWarm.output})`,
        '<= 2500 ms',
      ],
      ['16x16 loop, ready', `${results.loop16x16.ms} ms`, '<= 50 ms'],
      ['100x100 loop, ready', `${results.loop100x100.ms} ms`, '<= 1000 ms'],
      ['grid page', `${results.gridPage.kb} KB, ${results.gridPage.scripts} scripts`, 'unchanged'],
    ];
    for (const [what, figure, goal] of rows) {
      console.log(`${what.padEnd(28)} ${figure.padEnd(40)} goal ${goal}`);
    }
    if (results.playBeforeRun.pyodideFetched)
      console.log('WARNING: /play fetched Pyodide before Run');
    const file = writeResults('playground', {
      date: new Date().toISOString(),
      machine: machineInfo(),
      runs: RUNS,
      results,
    });
    console.log(`\nwrote ${file}`);
  } finally {
    await browser.close();
    await server.stop(5000);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
