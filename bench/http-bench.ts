/**
 * `npm run bench`: the HTTP benchmark of the production build (the script builds first). It
 * migrates a dedicated database, starts the build with the Procfile's `web:` command as production would
 * (NODE_ENV=production, request logging on), seeds grids, then drives each scenario with
 * autocannon in-process and checks the targets.
 *
 * Env: BENCH_DATABASE_URL (default: local ipb_bench, created if missing), BENCH_SECONDS (default
 * 10), BENCH_SCENARIOS=post,post1,get,page,embed,random,page200 (default: all).
 *
 * The 200x200 page has no throughput target: what matters is that rendering and sending it does
 * not stall the event loop, so a worker thread (health-probe.worker.ts) times GET /health one
 * request after another while the page is rendered for the first time (uncached) and while it
 * is under load.
 */
import autocannon from 'autocannon';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Client } from 'pg';
import { clientPostBody } from '../src/grid-api/api-examples';
import { blocks } from '../test/support/grid-factory';
import { rawRequest, type RawResponse } from '../test/support/http';
import { freePort, procfileWebArgs, ServerProcess } from '../test/support/server-process';
import type { ProbeMessage, ProbeOptions } from './health-probe.worker';
import {
  benchDatabaseUrl,
  createBenchDatabase,
  killOnExit,
  machineInfo,
  processCpuMs,
  runMigrations,
  writeResults,
} from './support';

const SERVER_LOG = join(__dirname, '.last-server.log');
const DB_URL = benchDatabaseUrl('ipb_bench');
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 32;
const SEED_GRIDS = 200;
const MAX_P99_MS = 50; // applies to every scenario with a target
const BIG = 200; // the big page: a BIG x BIG grid of 4 px blocks

// What the installed Python client's post_to_web() sends: a 20x20 BlockGrid and two code cells.
const POST_BODY = JSON.stringify(
  clientPostBody({
    codeCells: ['from ipythonblocks import BlockGrid', 'grid = BlockGrid(20, 20)\ngrid.show()'],
    blocks: blocks(20, 20, 20, (r, c) => [(r * 12) % 256, (c * 12) % 256, (r * c) % 256]),
  }),
);

// The biggest grid people post in practice: a 200x200 ImageGrid of a photo, 4 px blocks.
const BIG_POST_BODY = JSON.stringify(
  clientPostBody({
    ipbClass: 'ImageGrid',
    codeCells: null,
    linesOn: false,
    blocks: blocks(BIG, BIG, 4, (r, c) => [(r * 7) % 256, (c * 5) % 256, (r + c) % 256]),
  }),
);

// Pages are read by browsers, which always offer compression (the cached page keeps its
// compressed forms); the API routes are read by the Python client, which sends no such header.
const BROWSER_HEADERS = { 'Accept-Encoding': 'gzip, deflate, br' };

/** The seeded grids' ids; `bigId` is the 200x200 grid's (seeded only for page200). */
interface Seeded {
  ids: string[];
  bigId: string | null;
}

/**
 * One scenario; `key` is what BENCH_SCENARIOS selects. `path` is a string or a function called
 * for every request, so id routes spread over the seeded grids. Bodies are sent with no
 * Content-Type header, like the client's `requests.post(data=...)`. `status` is the one status
 * expected (default: any 2xx); `minRps: null` reports the figures without a target.
 */
interface Scenario {
  key: string;
  name: string;
  method: 'GET' | 'POST';
  path: string | ((seeded: Seeded, n: number) => string);
  body?: string;
  headers?: Record<string, string>;
  /** Posts come from this many client addresses in turn (X-Forwarded-For), each with its counter. */
  clients?: number;
  status?: number;
  minRps: number | null;
  probeEventLoop?: boolean;
}

const SCENARIOS: Scenario[] = [
  {
    key: 'post',
    name: 'POST /post',
    method: 'POST',
    path: '/post',
    body: POST_BODY,
    clients: 1000,
    minRps: 1500,
  },
  {
    // A classroom behind one address: every count queues on the same counter row.
    key: 'post1',
    name: 'POST /post (one client)',
    method: 'POST',
    path: '/post',
    body: POST_BODY,
    clients: 1,
    minRps: 1500,
  },
  {
    key: 'get',
    name: 'GET /get/<id>',
    method: 'GET',
    path: (seeded, n) => `/get/${seeded.ids[n % seeded.ids.length]}`,
    minRps: 4000,
  },
  {
    key: 'page',
    name: 'GET /<id> (20x20 page)',
    method: 'GET',
    path: (seeded, n) => `/${seeded.ids[n % seeded.ids.length]}`,
    headers: BROWSER_HEADERS,
    minRps: 2500,
  },
  {
    // Beside the page it comes from: the same grid, framed by other sites.
    key: 'embed',
    name: 'GET /<id>/embed (20x20 embed)',
    method: 'GET',
    path: (seeded, n) => `/${seeded.ids[n % seeded.ids.length]}/embed`,
    headers: BROWSER_HEADERS,
    minRps: 2500,
  },
  {
    key: 'random',
    name: 'GET /random (303)',
    method: 'GET',
    path: '/random',
    headers: BROWSER_HEADERS,
    status: 303,
    minRps: 3000,
  },
  {
    key: 'page200',
    name: `GET /<id> (${BIG}x${BIG} page)`,
    method: 'GET',
    path: (seeded) => `/${seeded.bigId}`,
    headers: BROWSER_HEADERS,
    minRps: null,
    probeEventLoop: true,
  },
];

/** GET /health latencies seen by the probe, in ms. */
interface ProbeFigures {
  probes: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
}

interface EventLoopFigures {
  idleHealth: ProbeFigures;
  firstRender: {
    ms: number;
    bytes: number;
    encoding: string | undefined;
    htmlBytes: number;
    healthDuring: ProbeFigures;
  };
  underLoad?: ProbeFigures;
}

type Row = ReturnType<typeof summarise>;

let server: ServerProcess | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request with no Content-Type (fetch would add one), failing when idle for 30 s. */
const request = (path: string, options: Parameters<typeof rawRequest>[1] = {}) =>
  rawRequest(`${server!.baseUrl}${path}`, { timeoutMs: 30_000, ...options });

/** The idle and the total CPU time of the machine so far (ms). */
function machineCpuTimes(): [idle: number, total: number] {
  return cpus().reduce<[number, number]>(
    ([idle, total], { times: t }) => [
      idle + t.idle,
      total + t.user + t.nice + t.sys + t.idle + t.irq,
    ],
    [0, 0],
  );
}

/** The share of CPU time in use over one second (the load average lags by minutes). */
async function cpuBusyShare(): Promise<number> {
  const [idle0, total0] = machineCpuTimes();
  await sleep(1000);
  const [idle1, total1] = machineCpuTimes();
  return 1 - (idle1 - idle0) / (total1 - total0);
}

/** The Postgres backends serving the bench database (the server's pool), when it is local. */
async function databaseBackendPids(): Promise<number[]> {
  const client = new Client({ connectionString: DB_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

interface CpuSnapshot {
  idle: number;
  total: number;
  serverMs: number | null;
  dbMs: number;
  benchMs: number;
}

/**
 * CPU time (ms) of the whole machine and of what the scenario runs: the server child, its
 * Postgres backends and this process (autocannon and the probe worker). What is left is other
 * programs on the machine, which make the figures low.
 */
function cpuSnapshot(dbPids: number[]): CpuSnapshot {
  const [idle, total] = machineCpuTimes();
  const serverMs = processCpuMs(server!.pid);
  // A backend not on this machine (a remote BENCH_DATABASE_URL) uses none of its CPUs.
  const dbMs = dbPids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0);
  const own = process.cpuUsage();
  return { idle, total, serverMs, dbMs, benchMs: (own.user + own.system) / 1000 };
}

/**
 * CPU time the server and its Postgres backends spent per answer (ms): what a request costs,
 * which other programs on the machine skew far less than they skew req/s (null: unknown).
 */
function appCpuMsPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number) {
  if (before.serverMs === null || after.serverMs === null || requests === 0) return null;
  const spent = after.serverMs - before.serverMs + (after.dbMs - before.dbMs);
  return Math.round((spent / requests) * 1000) / 1000;
}

/** The share of all CPUs that programs other than the scenario's used in between (null: unknown). */
function otherCpuShare(before: CpuSnapshot, after: CpuSnapshot): number | null {
  if (before.serverMs === null || after.serverMs === null) return null;
  const capacity = after.total - before.total;
  const busy = capacity - (after.idle - before.idle);
  const ours =
    after.serverMs -
    before.serverMs +
    (after.dbMs - before.dbMs) +
    (after.benchMs - before.benchMs);
  return Math.max(0, Math.min(1, (busy - ours) / capacity));
}

/** The id at the end of a post's answer URL. */
const postedId = (res: RawResponse) =>
  new URL(res.json<{ url: string }>().url).pathname.split('/').pop()!;

async function seed(withBig: boolean): Promise<Seeded> {
  const ids: string[] = [];
  for (let i = 0; i < SEED_GRIDS; i++) {
    const res = await request('/post', { method: 'POST', body: POST_BODY });
    if (res.status !== 200) throw new Error(`seeding: POST /post -> ${res.status}: ${res.text}`);
    ids.push(postedId(res));
  }
  // A seeded id must serve its grid back, or the GET figures would measure 404s.
  const res = await request(`/get/${ids[0]}`);
  if (res.status !== 200 || res.json<{ width: number }>().width !== 20) {
    throw new Error(`seeding: GET /get/${ids[0]} -> ${res.status}: ${res.text.slice(0, 200)}`);
  }
  // The seeded grids are public, so /random has grids to pick from: it must redirect to one.
  const random = await request('/random');
  const location = random.headers.location as string | undefined;
  if (random.status !== 303 || !/^\/[A-Za-z0-9]{6,}$/.test(location ?? '')) {
    throw new Error(`seeding: GET /random -> ${random.status} ${location}`);
  }
  let bigId: string | null = null;
  if (withBig) {
    const big = await request('/post', { method: 'POST', body: BIG_POST_BODY });
    if (big.status !== 200) throw new Error(`seeding: ${BIG}x${BIG} -> ${big.status}: ${big.text}`);
    bigId = postedId(big);
  }
  return { ids, bigId };
}

/** The `n`th of `clients` client addresses, as Heroku's router forwards it. */
const clientAddress = (n: number, clients: number) =>
  `10.0.${Math.floor((n % clients) / 250)}.${(n % clients) % 250}`;

function runScenario(
  { method, path, body, headers, clients }: Scenario,
  seeded: Seeded,
  duration: number,
): Promise<autocannon.Result> {
  let n = 0;
  // Explicit headers (even {}) so autocannon adds no Content-Type.
  const req: autocannon.Request = { method, body, headers: { ...headers } };
  if (typeof path !== 'function') req.path = path;
  if (typeof path === 'function' || clients) {
    req.setupRequest = (r) => {
      const i = n++;
      return {
        ...r,
        ...(typeof path === 'function' && { path: path(seeded, i) }),
        ...(clients && { headers: { ...r.headers, 'X-Forwarded-For': clientAddress(i, clients) } }),
      };
    };
  }
  return autocannon({ url: server!.baseUrl, connections: CONNECTIONS, duration, requests: [req] });
}

/**
 * Errors, timeouts and answers with another status than the scenario expects. autocannon's
 * non2xx counts 3xx too, so a scenario expecting a 303 counts from the per-status figures.
 */
function failures(r: autocannon.Result, scenario: Scenario): number {
  if (!scenario.status) return r.errors + r.timeouts + r.non2xx; // non2xx: 1xx, 3xx, 4xx, 5xx
  const other = Object.entries(r.statusCodeStats ?? {})
    .filter(([code]) => Number(code) !== scenario.status)
    .reduce((sum, [, { count }]) => sum + count, 0);
  return r.errors + r.timeouts + other;
}

function summarise(
  scenario: Scenario,
  r: autocannon.Result,
  warmup: autocannon.Result,
  probe: EventLoopFigures | null,
  cpu: { other: number | null; msPerRequest: number | null },
) {
  const errors = failures(r, scenario) + failures(warmup, scenario);
  const rps = Math.round(r.requests.average);
  const { minRps } = scenario;
  const ok = errors === 0 && (minRps === null || (rps >= minRps && r.latency.p99 <= MAX_P99_MS));
  return {
    scenario: scenario.name,
    rps,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors,
    requests: r.requests.total,
    detail: { errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, codes: r.statusCodeStats },
    warmupErrors: failures(warmup, scenario),
    otherCpu: cpu.other === null ? null : Number(cpu.other.toFixed(2)),
    cpuMsPerRequest: cpu.msPerRequest,
    bytesPerAnswer: r.requests.total ? Math.round(r.throughput.total / r.requests.total) : 0,
    target: minRps !== null ? `>= ${minRps} req/s, p99 <= ${MAX_P99_MS} ms` : 'report only',
    verdict: !ok ? (errors ? 'ERRORS' : 'MISS') : minRps !== null ? 'PASS' : 'ok',
    ...(probe && { eventLoopProbe: probe }),
  };
}

/** Starts health-probe.worker once its first request is going out; stop() answers its figures. */
async function startProbe(): Promise<{ stop(): Promise<ProbeFigures> }> {
  // ts-node runs this file, so the worker is TypeScript too (and needs ts-node in its thread).
  const typescript = __filename.endsWith('.ts');
  const options: ProbeOptions = { port: Number(new URL(server!.baseUrl).port) };
  const worker = new Worker(join(__dirname, `health-probe.worker.${typescript ? 'ts' : 'js'}`), {
    workerData: options,
    execArgv: typescript ? ['-r', 'ts-node/register/transpile-only'] : [],
  });
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const done = new Promise<{ ms: number[]; failed: number }>((resolve, reject) => {
    worker.on('message', (message: ProbeMessage) => {
      if (message.kind === 'started') started();
      else resolve(message);
    });
    worker.once('error', reject);
  });
  await Promise.race([running, done]);
  return {
    async stop() {
      worker.postMessage('stop');
      const { ms, failed } = await done;
      await worker.terminate();
      const sorted = [...ms].sort((a, b) => a - b);
      const at = (q: number) =>
        sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      const round = (v: number) => Math.round(v * 10) / 10;
      return {
        probes: ms.length,
        failed,
        p50: round(at(0.5)),
        p99: round(at(0.99)),
        max: round(at(1)),
      };
    },
  };
}

/** Runs `fn` with the /health probe going; answers fn's result and the probe's figures. */
async function withProbe<T>(fn: () => Promise<T>): Promise<{ result: T; probe: ProbeFigures }> {
  const probe = await startProbe();
  await sleep(100); // a few idle samples first, so a short fn is still covered
  const result = await fn();
  return { result, probe: await probe.stop() };
}

/**
 * The big page's first request renders it (uncached): its time, and how long /health waited
 * meanwhile; then the same under load. The idle baseline shows what /health costs alone.
 */
async function eventLoopProbe(scenario: Scenario, seeded: Seeded): Promise<EventLoopFigures> {
  const idle = await withProbe(() => sleep(1000));
  const path = typeof scenario.path === 'function' ? scenario.path(seeded, 0) : scenario.path;
  const first = await withProbe(async () => {
    const t0 = process.hrtime.bigint();
    const res = await request(path, { headers: scenario.headers });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.status !== 200) throw new Error(`${scenario.name}: first GET ${path} -> ${res.status}`);
    const encoding = res.headers['content-encoding'] as string | undefined;
    return { ms: Math.round(ms), bytes: res.body.length, encoding };
  });
  const plain = await request(path); // size of the page itself, uncompressed
  return {
    idleHealth: idle.probe,
    firstRender: { ...first.result, htmlBytes: plain.body.length, healthDuring: first.probe },
  };
}

function printProbes(rows: Row[]): void {
  for (const r of rows) {
    if (!r.eventLoopProbe) continue;
    const { idleHealth: idle, firstRender: first, underLoad: load } = r.eventLoopProbe;
    const fmt = (p: ProbeFigures) =>
      `max ${p.max} ms, p99 ${p.p99} ms, p50 ${p.p50} ms (${p.probes} probes)`;
    console.log(`\n${r.scenario}: event-loop probe (GET /health, one at a time, from a worker)`);
    console.log(`  idle baseline:        ${fmt(idle)}`);
    console.log(
      `  first (uncached) GET: ${first.ms} ms for ${first.htmlBytes} bytes of HTML ` +
        `(${first.bytes} sent, ${first.encoding ?? 'identity'}); /health meanwhile: ${fmt(first.healthDuring)}`,
    );
    console.log(
      `  under load (${CONNECTIONS} conns): ${fmt(load!)}; ${r.bytesPerAnswer} bytes/answer`,
    );
  }
}

function printTable(rows: Row[]): void {
  const head = [
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors/non-2xx',
    'CPU ms/req',
    'other CPU',
    'target',
    'result',
  ];
  const share = (v: number | null) => (v === null ? '?' : `${Math.round(v * 100)}%`);
  const cells = rows.map((r) => [
    r.scenario,
    r.rps,
    r.p50,
    r.p99,
    r.errors,
    r.cpuMsPerRequest ?? '?',
    share(r.otherCpu),
    r.target,
    r.verdict,
  ]);
  const table = [head, ...cells].map((row) => row.map(String));
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const pad = (c: string, i: number) =>
    i >= 1 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i]);
  const lines = [table[0], widths.map((w) => '-'.repeat(w)), ...table.slice(1)];
  console.log(`\n${lines.map((row) => row.map(pad).join('  ')).join('\n')}`);
  if (rows.some((r) => (r.otherCpu ?? 0) > 0.1)) {
    console.warn(
      'WARNING: other programs used over 10% of the CPUs during a scenario (the "other CPU" ' +
        'column): those figures understate the app. Run again on a quiet machine.',
    );
  }
}

function writeReport(rows: Row[], logErrors: string[], busyBefore: number): void {
  const machine = { ...machineInfo(), cpuBusyShareBefore: Number(busyBefore.toFixed(2)) };
  const config = { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS };
  const report = { date: new Date().toISOString(), machine, config, results: rows, logErrors };
  const file = writeResults('http', report);
  console.log(`\nwrote ${file} (${machine.cpus} CPUs)`);
}

async function main(): Promise<number> {
  const wanted = process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim());
  const scenarios = SCENARIOS.filter((s) => !wanted || wanted.includes(s.key));
  if (!scenarios.length) {
    throw new Error(`BENCH_SCENARIOS: none of ${SCENARIOS.map((s) => s.key).join(',')}`);
  }

  // Anything else running skews every figure on a small machine: record it and say so.
  const busyBefore = await cpuBusyShare();
  if (busyBefore > 0.15) console.warn(`WARNING: CPUs ${Math.round(busyBefore * 100)}% busy`);
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
    // Every post is counted, as in production (the shared counters are part of a post's cost),
    // under a limit no scenario reaches.
    POST_RATE_LIMIT: '1000000000',
  };
  await runMigrations(env);
  // Logs go to a file: the server still pays for writing every request line, as in production,
  // but the console stays readable. ERROR lines are surfaced from the file at the end.
  server = await ServerProcess.startBuild(procfileWebArgs(), env, { port, logFile: SERVER_LOG });
  killOnExit(server.child);
  const seeded = await seed(scenarios.some((s) => s.probeEventLoop));
  const big = seeded.bigId ? ` and one ${BIG}x${BIG}` : '';
  console.log(
    `\n${seeded.ids.length} grids${big} seeded; ${CONNECTIONS} connections, ${SECONDS} s each`,
  );

  const rows: Row[] = [];
  for (const scenario of scenarios) {
    // Before anything else asks for the page, so its first request is the uncached one.
    const probe = scenario.probeEventLoop ? await eventLoopProbe(scenario, seeded) : null;
    // The warm-up (JIT, pools, caches) is not reported, but its failures are.
    const warmup = await runScenario(scenario, seeded, WARMUP_SECONDS);
    const dbPids = await databaseBackendPids();
    const cpuBefore = cpuSnapshot(dbPids);
    let measured: autocannon.Result;
    if (probe) {
      const loaded = await withProbe(() => runScenario(scenario, seeded, SECONDS));
      measured = loaded.result;
      probe.underLoad = loaded.probe;
    } else {
      measured = await runScenario(scenario, seeded, SECONDS);
    }
    const cpuAfter = cpuSnapshot(dbPids);
    const cpu = {
      other: otherCpuShare(cpuBefore, cpuAfter),
      msPerRequest: appCpuMsPerRequest(cpuBefore, cpuAfter, measured.requests.total),
    };
    rows.push(summarise(scenario, measured, warmup, probe, cpu));
  }
  printTable(rows);
  printProbes(rows);
  // ERROR lines in the server log (pool timeouts, crashes) explain what status codes only hint at.
  const logErrors = server.output.match(/^.*\bERROR\b.*$/gm) ?? [];
  writeReport(rows, logErrors, busyBefore);

  const failed = rows.filter((r) => r.errors > 0);
  if (failed.length === 0 && logErrors.length === 0) return 0; // a MISS alone is not fatal
  console.error('\n!!! THE BENCHMARK HAD ERRORS: these figures are not valid !!!');
  for (const r of failed) console.error(`  ${r.scenario}: ${JSON.stringify(r.detail)}`);
  if (logErrors.length > 0) console.error(`  ERROR lines in ${SERVER_LOG}:\n${logErrors[0]}`);
  return 1;
}

main()
  .catch((err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
    return 1;
  })
  .then(async (code) => {
    process.exitCode = code;
    await server?.stop(5000); // graceful first (shutdown hooks close the pool), then force
  })
  .catch((err: unknown) => console.error(err));
