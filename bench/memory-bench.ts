/**
 * `npm run bench:memory`: the server's peak memory under the requests that cost it the most,
 * replayed against the production build started as the Procfile starts it, with the default
 * settings (a 512 MB dyno must not run out). Target: peak RSS under 350 MB.
 *
 * Phases: idle; 2,000 distinct 100x100 grids posted, then read as PNGs, pages and JSON (every
 * answer a cache miss, the cache filling up and evicting); a 250000x1 grid (MAX_BLOCKS) read by
 * 16 clients at once as page, PNG and JSON; the worst page the limits allow read by 4 clients.
 *
 * Env: BENCH_DATABASE_URL (default: a fresh local ipb_bench_memory database), BENCH_GRIDS (2000),
 * BENCH_CACHE_MB (the server's GRID_CACHE_MB; default: the app's own default).
 */
import { Agent } from 'node:http';
import { PAGE_TABLE_MAX_BLOCKS } from '../src/grid-pages/grid-render.task';
import { AppConfig } from '../src/config/app-config';
import { blocks, clientBody } from '../test/support/grid-factory';
import { rawRequest, type RawResponse } from '../test/support/http';
import { procfileWebArgs, ServerProcess } from '../test/support/server-process';
import {
  benchDatabaseUrl,
  createBenchDatabase,
  killOnExit,
  processMemoryMb,
  runMigrations,
} from './support';

const TARGET_MB = 350;
const GRIDS = Number(process.env.BENCH_GRIDS ?? 2000);
const DB_URL = benchDatabaseUrl('ipb_bench_memory');
const BROWSER = { 'Accept-Encoding': 'gzip, deflate, br' };
// What Python's requests sends, so what BlockGrid.from_web() reads with.
const PYTHON_CLIENT = { 'Accept-Encoding': 'gzip, deflate' };

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** A request with exactly these headers (no Content-Type, as the Python client posts). */
function call(url: string, options: Parameters<typeof rawRequest>[1] = {}): Promise<RawResponse> {
  return rawRequest(url, { ...options, agent });
}

/** Runs `task(i)` for i in [0, n) with `concurrency` at a time, failing on a non-2xx answer. */
async function pool(n: number, concurrency: number, task: (i: number) => Promise<number>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const status = await task(i);
        if (status < 200 || status >= 300) throw new Error(`request ${i}: status ${status}`);
      }
    }),
  );
}

async function main(): Promise<void> {
  await createBenchDatabase(DB_URL, { fresh: true });
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'production',
    DATABASE_URL: DB_URL,
    DATABASE_SSL: 'false',
    PUBLIC_URL: 'http://bench.example',
    HASHIDS_PUBLIC_SALT: 'bench public',
    HASHIDS_SECRET_SALT: 'bench secret',
    POST_RATE_LIMIT: '0',
    REQUEST_LOG: 'false',
    ...(process.env.BENCH_CACHE_MB ? { GRID_CACHE_MB: process.env.BENCH_CACHE_MB } : {}),
  };
  // Production migrates in the release phase, before the web process starts.
  await runMigrations(env);
  const limits = AppConfig.fromEnv(env).limits;
  const server = await ServerProcess.startBuild(procfileWebArgs(), env);
  killOnExit(server.child);
  const rows: [string, number, number][] = [];
  const mark = (phase: string) => {
    const m = processMemoryMb(server.pid);
    if (!m) throw new Error(`the server exited:\n${server.output}`);
    rows.push([phase, m.rss, m.peak]);
    console.log(
      `${phase.padEnd(58)} RSS ${m.rss.toFixed(0).padStart(4)} MB, peak ${m.peak.toFixed(0)} MB`,
    );
  };
  try {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    mark('idle');
    const paths: string[] = [];
    await pool(GRIDS, 4, async (i) => {
      const body = clientBody({}, 100, 100);
      // Distinct grids: every one a cache miss and a picture of its own.
      body.grid_data.blocks = blocks(100, 100, 20, (r, c) => [
        (r * 3 + i) % 256,
        (c * 7 + i * 13) % 256,
        (i * 31) % 256,
      ]);
      const res = await call(`${server.baseUrl}/post`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      paths[i] = new URL((JSON.parse(res.text) as { url: string }).url).pathname;
      return res.status;
    });
    mark(`posted ${GRIDS} distinct 100x100 grids`);
    await pool(GRIDS, 8, async (i) => (await call(`${server.baseUrl}${paths[i]}.png`)).status);
    mark(`read each one's PNG`);
    await pool(
      GRIDS,
      8,
      async (i) => (await call(`${server.baseUrl}${paths[i]}`, { headers: BROWSER })).status,
    );
    mark(`read each one's page`);
    await pool(
      GRIDS,
      8,
      async (i) =>
        (await call(`${server.baseUrl}/get${paths[i]}`, { headers: PYTHON_CLIENT })).status,
    );
    mark(`read each one's JSON`);

    const long = clientBody({ code_cells: null }, limits.maxBlocks, 1);
    const posted = await call(`${server.baseUrl}/post`, {
      method: 'POST',
      body: JSON.stringify(long),
    });
    if (posted.status !== 200)
      throw new Error(`posting the long grid: ${posted.status} ${posted.text}`);
    const longPath = new URL((JSON.parse(posted.text) as { url: string }).url).pathname;
    mark(`posted a ${limits.maxBlocks}x1 grid`);
    for (const [what, path, headers] of [
      ['page', longPath, BROWSER],
      ['page, no compression', longPath, {}],
      ['PNG', `${longPath}.png`, {}],
      ['JSON', `/get${longPath}`, PYTHON_CLIENT],
      ['JSON, no compression', `/get${longPath}`, {}],
    ] as const) {
      await pool(64, 16, async () => (await call(`${server.baseUrl}${path}`, { headers })).status);
      mark(`16 clients read its ${what}`);
    }

    const cells: string[] = [];
    for (let chars = 0; chars + limits.maxCodeCellChars <= limits.maxCodeChars;) {
      cells.push('1 '.repeat(limits.maxCodeCellChars / 2));
      chars += limits.maxCodeCellChars;
    }
    const side = Math.floor(Math.sqrt(PAGE_TABLE_MAX_BLOCKS));
    const worst = await call(`${server.baseUrl}/post`, {
      method: 'POST',
      body: JSON.stringify(clientBody({ code_cells: cells }, side, side)),
    });
    const worstPath = new URL((JSON.parse(worst.text) as { url: string }).url).pathname;
    await pool(
      32,
      4,
      async () => (await call(`${server.baseUrl}${worstPath}`, { headers: BROWSER })).status,
    );
    await pool(16, 4, async () => (await call(`${server.baseUrl}${worstPath}`)).status);
    mark(`4 clients read the worst page (${side}x${side}, ${cells.length} cells)`);
  } finally {
    await server.kill();
    agent.destroy();
  }
  const peak = Math.max(...rows.map((r) => r[2]));
  console.log(
    `\npeak RSS ${peak.toFixed(0)} MB (target < ${TARGET_MB} MB): ${peak < TARGET_MB ? 'PASS' : 'MISS'}`,
  );
  if (peak >= TARGET_MB) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
