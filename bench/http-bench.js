'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: runs with no compile step */
// HTTP benchmark of the production build (`npm run bench` builds first). It migrates a dedicated
// database, starts `node dist/main.js` as production would (NODE_ENV=production, request logging
// on), seeds grids, then drives each scenario with autocannon in-process and checks the targets.
// Env: BENCH_DATABASE_URL (default: local ipb_bench, created if missing), BENCH_SECONDS
// (default 10), BENCH_SCENARIOS=post,get,page,random,page200 (default: all).
// The 200x200 page has no throughput target: what matters is that rendering and sending it does
// not stall the event loop, so a worker thread times GET /health one request after another while
// the page is rendered for the first time (uncached) and while it is under load.
const { execFileSync, spawn } = require('node:child_process');
const { Buffer } = require('node:buffer');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { setTimeout } = require('node:timers');
const { URL } = require('node:url');
const { Worker } = require('node:worker_threads');
const autocannon = require('autocannon');
const { Client } = require('pg');

const ROOT = path.join(__dirname, '..');
const SERVER_LOG = path.join(__dirname, '.last-server.log');
const TYPEORM_CLI = path.join(ROOT, 'node_modules', 'typeorm', 'cli.js');
const RESULTS_FILE = path.join(__dirname, 'results', 'http-latest.json');
const DB_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/ipb_bench';
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 32;
const SEED_GRIDS = 200;
const MAX_P99_MS = 50; // applies to every scenario with a target
const BIG = 200; // the big page: a BIG x BIG grid of 4 px blocks

// What the installed Python client's post_to_web() sends: a 20x20 BlockGrid and two code cells.
const blocks = Array.from({ length: 20 }, (_, r) =>
  Array.from({ length: 20 }, (_, c) => [(r * 12) % 256, (c * 12) % 256, (r * c) % 256, 20]),
);
const POST_BODY = JSON.stringify({
  python_version: [3, 11, 2, 'final', 0],
  ipb_version: '1.10.dev',
  ipb_class: 'BlockGrid',
  code_cells: ['from ipythonblocks import BlockGrid', 'grid = BlockGrid(20, 20)\ngrid.show()'],
  secret: false,
  grid_data: { lines_on: true, width: 20, height: 20, blocks },
});

// The biggest grid people post in practice: a 200x200 ImageGrid of a photo, 4 px blocks.
const BIG_POST_BODY = JSON.stringify({
  python_version: [3, 11, 2, 'final', 0],
  ipb_version: '1.10.dev',
  ipb_class: 'ImageGrid',
  code_cells: null,
  secret: false,
  grid_data: {
    lines_on: false,
    width: BIG,
    height: BIG,
    blocks: Array.from({ length: BIG }, (_, r) =>
      Array.from({ length: BIG }, (_, c) => [(r * 7) % 256, (c * 5) % 256, (r + c) % 256, 4]),
    ),
  },
});

// Pages are read by browsers, which always offer compression (the cached page keeps its
// compressed forms); the API routes are read by the Python client, which sends no such header.
const BROWSER_HEADERS = { 'Accept-Encoding': 'gzip, deflate, br' };

// One row per scenario; `key` is what BENCH_SCENARIOS selects. `path` is a string or a function
// (seeded, n) => path called for every request, so id routes spread over the seeded grids
// (`seeded.ids`; `seeded.bigId` is the 200x200 grid). Bodies are sent with no Content-Type
// header, like the client's `requests.post(data=...)`. `status` is the one status expected
// (default: any 2xx); `minRps: null` reports the figures without a target.
const SCENARIOS = [
  { key: 'post', name: 'POST /post', method: 'POST', path: '/post', body: POST_BODY, minRps: 1500 },
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

/** Minimal HTTP client. Not fetch(): fetch adds `Content-Type: text/plain` to string bodies. */
function request(port, method, urlPath, body, extraHeaders = {}) {
  const headers = { ...extraHeaders };
  if (body) headers['Content-Length'] = Buffer.byteLength(body);
  const options = { host: '127.0.0.1', port, method, path: urlPath, headers, timeout: 30_000 };
  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const text = res.headers['content-encoding'] ? '' : bytes.toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, bytes: bytes.length, text });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function ensureDatabase() {
  if (process.env.BENCH_DATABASE_URL) return; // someone else's database: never create it
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  try {
    await admin.query('CREATE DATABASE ipb_bench');
  } catch (err) {
    if (err.code !== '42P04') throw err; // 42P04 = duplicate_database: already there
  } finally {
    await admin.end();
  }
}

/** A port the kernel says is free; the tiny race until the server binds it is acceptable. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The share of CPU time in use over one second (the load average lags by minutes). */
async function cpuBusyShare() {
  const idleAndTotal = () =>
    os
      .cpus()
      .reduce(
        ([idle, total], { times: t }) => [
          idle + t.idle,
          total + t.user + t.nice + t.sys + t.idle + t.irq,
        ],
        [0, 0],
      );
  const [idle0, total0] = idleAndTotal();
  await sleep(1000);
  const [idle1, total1] = idleAndTotal();
  return 1 - (idle1 - idle0) / (total1 - total0);
}

/** CPU time (ms) a process has used, from /proc/<pid>/stat; null where that cannot be read. */
function processCpuMs(pid) {
  try {
    // Fields 14 and 15: user and system time in clock ticks (100 a second on Linux).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** The Postgres backends serving the bench database (the server's pool), when it is local. */
async function databaseBackendPids() {
  const client = new Client({ connectionString: DB_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/**
 * CPU time (ms) of the whole machine and of what the scenario runs: the server child, its
 * Postgres backends and this process (autocannon and the probe worker). What is left is other
 * programs on the machine, which make the figures low.
 */
function cpuSnapshot(dbPids) {
  const [idle, total] = os
    .cpus()
    .reduce(
      ([i, t], { times: c }) => [i + c.idle, t + c.user + c.nice + c.sys + c.idle + c.irq],
      [0, 0],
    );
  const serverMs = processCpuMs(server.pid);
  // A backend not on this machine (a remote BENCH_DATABASE_URL) uses none of its CPUs.
  const dbMs = dbPids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0);
  const own = process.cpuUsage();
  return { idle, total, serverMs, dbMs, benchMs: (own.user + own.system) / 1000 };
}

/** The share of all CPUs that programs other than the scenario's used in between (null: unknown). */
function otherCpuShare(before, after) {
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

let server; // the child process: killed on every way out (see the bottom of the file)
const serverLog = () => (fs.existsSync(SERVER_LOG) ? fs.readFileSync(SERVER_LOG, 'utf8') : '');
const logTail = () => serverLog().split('\n').slice(-30).join('\n');

async function startServer(env, port) {
  // Logs go to a file: the server still pays for writing every request line, as in production,
  // but the console stays readable. ERROR lines are surfaced from the file at the end.
  const log = fs.openSync(SERVER_LOG, 'w');
  const stdio = ['ignore', log, log];
  server = spawn(process.execPath, ['dist/main.js'], { cwd: ROOT, env, stdio });
  fs.closeSync(log);
  let exited = null;
  server.once('exit', (code, signal) => (exited = signal || `code ${code}`));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (exited) throw new Error(`server exited (${exited}) before it was healthy:\n${logTail()}`);
    const res = await request(port, 'GET', '/health').catch(() => null);
    if (res?.status === 200) return;
    await sleep(200);
  }
  throw new Error(`server not healthy after 60 s:\n${logTail()}`);
}

async function seed(port, withBig) {
  const ids = [];
  for (let i = 0; i < SEED_GRIDS; i++) {
    const res = await request(port, 'POST', '/post', POST_BODY);
    if (res.status !== 200) throw new Error(`seeding: POST /post -> ${res.status}: ${res.text}`);
    ids.push(new URL(JSON.parse(res.text).url).pathname.split('/').pop());
  }
  // A seeded id must serve its grid back, or the GET figures would measure 404s.
  const res = await request(port, 'GET', `/get/${ids[0]}`);
  if (res.status !== 200 || JSON.parse(res.text).width !== 20) {
    throw new Error(`seeding: GET /get/${ids[0]} -> ${res.status}: ${res.text.slice(0, 200)}`);
  }
  // The seeded grids are public, so /random has grids to pick from: it must redirect to one.
  const random = await request(port, 'GET', '/random');
  if (random.status !== 303 || !/^\/[A-Za-z0-9]{6,}$/.test(random.headers.location ?? '')) {
    throw new Error(`seeding: GET /random -> ${random.status} ${random.headers.location}`);
  }
  let bigId = null;
  if (withBig) {
    const big = await request(port, 'POST', '/post', BIG_POST_BODY);
    if (big.status !== 200) throw new Error(`seeding: ${BIG}x${BIG} -> ${big.status}: ${big.text}`);
    bigId = new URL(JSON.parse(big.text).url).pathname.split('/').pop();
  }
  return { ids, bigId };
}

function runScenario(port, { method, path: p, body, headers }, seeded, duration) {
  let n = 0;
  // Explicit headers (even {}) so autocannon adds no Content-Type.
  const req = { method, body, headers: { ...headers } };
  if (typeof p === 'function') req.setupRequest = (r) => ({ ...r, path: p(seeded, n++) });
  else req.path = p;
  const url = `http://127.0.0.1:${port}`;
  return autocannon({ url, connections: CONNECTIONS, duration, requests: [req] });
}

/**
 * Errors, timeouts and answers with another status than the scenario expects. autocannon's
 * non2xx counts 3xx too, so a scenario expecting a 303 counts from the per-status figures.
 */
function failures(r, scenario) {
  if (!scenario.status) return r.errors + r.timeouts + r.non2xx; // non2xx: 1xx, 3xx, 4xx, 5xx
  const other = Object.entries(r.statusCodeStats ?? {})
    .filter(([code]) => Number(code) !== scenario.status)
    .reduce((sum, [, { count }]) => sum + count, 0);
  return r.errors + r.timeouts + other;
}

function summarise(scenario, r, warmup, probe, otherCpu) {
  const errors = failures(r, scenario) + failures(warmup, scenario);
  const rps = Math.round(r.requests.average);
  const hasTarget = scenario.minRps !== null;
  const ok =
    errors === 0 && (!hasTarget || (rps >= scenario.minRps && r.latency.p99 <= MAX_P99_MS));
  return {
    scenario: scenario.name,
    rps,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors,
    requests: r.requests.total,
    detail: { errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, codes: r.statusCodeStats },
    warmupErrors: failures(warmup, scenario),
    otherCpu: otherCpu === null ? null : Number(otherCpu.toFixed(2)),
    bytesPerAnswer: r.requests.total ? Math.round(r.throughput.total / r.requests.total) : 0,
    target: hasTarget ? `>= ${scenario.minRps} req/s, p99 <= ${MAX_P99_MS} ms` : 'report only',
    verdict: !ok ? (errors ? 'ERRORS' : 'MISS') : hasTarget ? 'PASS' : 'ok',
    ...(probe && { eventLoopProbe: probe }),
  };
}

/**
 * A worker thread (its own event loop, so autocannon's work in this one does not skew it) that
 * times GET /health one request at a time over a keep-alive connection until told to stop, and
 * answers the latencies. A slow /health means the server's event loop was blocked (or the
 * machine was saturated: compare with the idle baseline).
 */
const PROBE_WORKER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let stop = false;
parentPort.on('message', () => (stop = true));
const once = () => new Promise((resolve) => {
  const t0 = process.hrtime.bigint();
  const req = http.get({ host: '127.0.0.1', port: workerData.port, path: '/health', agent }, (res) => {
    res.resume();
    res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, ok: res.statusCode === 200 }));
  });
  req.on('error', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, ok: false }));
});
(async () => {
  const ms = [];
  let failed = 0;
  while (!stop) {
    const r = await once();
    ms.push(r.ms);
    if (!r.ok) failed++;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  agent.destroy();
  parentPort.postMessage({ ms, failed });
})();
`;

function startProbe(port) {
  const worker = new Worker(PROBE_WORKER, { eval: true, workerData: { port } });
  const done = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const { ms, failed } = await done;
      await worker.terminate();
      const sorted = [...ms].sort((a, b) => a - b);
      const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      const round = (v) => Math.round(v * 10) / 10;
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
async function withProbe(port, fn) {
  const probe = startProbe(port);
  await sleep(100); // a few idle samples first, so a short fn is still covered
  const result = await fn();
  return { result, probe: await probe.stop() };
}

/**
 * The big page's first request renders it (uncached): its time, and how long /health waited
 * meanwhile; then the same under load. The idle baseline shows what /health costs alone.
 */
async function eventLoopProbe(port, scenario, seeded) {
  const idle = await withProbe(port, () => sleep(1000));
  const p = scenario.path(seeded, 0);
  const first = await withProbe(port, async () => {
    const t0 = process.hrtime.bigint();
    const res = await request(port, 'GET', p, undefined, scenario.headers);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.status !== 200) throw new Error(`${scenario.name}: first GET ${p} -> ${res.status}`);
    return { ms: Math.round(ms), bytes: res.bytes, encoding: res.headers['content-encoding'] };
  });
  const plain = await request(port, 'GET', p); // size of the page itself, uncompressed
  return {
    idleHealth: idle.probe,
    firstRender: { ...first.result, htmlBytes: plain.bytes, healthDuring: first.probe },
  };
}

function printProbes(rows) {
  for (const r of rows.filter((row) => row.eventLoopProbe)) {
    const { idleHealth: idle, firstRender: first, underLoad: load } = r.eventLoopProbe;
    const fmt = (p) => `max ${p.max} ms, p99 ${p.p99} ms, p50 ${p.p50} ms (${p.probes} probes)`;
    console.log(`\n${r.scenario}: event-loop probe (GET /health, one at a time, from a worker)`);
    console.log(`  idle baseline:        ${fmt(idle)}`);
    console.log(
      `  first (uncached) GET: ${first.ms} ms for ${first.htmlBytes} bytes of HTML ` +
        `(${first.bytes} sent, ${first.encoding ?? 'identity'}); /health meanwhile: ${fmt(first.healthDuring)}`,
    );
    console.log(
      `  under load (${CONNECTIONS} conns): ${fmt(load)}; ${r.bytesPerAnswer} bytes/answer`,
    );
  }
}

function printTable(rows) {
  const head = [
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors/non-2xx',
    'other CPU',
    'target',
    'result',
  ];
  const share = (v) => (v === null ? '?' : `${Math.round(v * 100)}%`);
  const cells = rows.map((r) => [
    r.scenario,
    r.rps,
    r.p50,
    r.p99,
    r.errors,
    share(r.otherCpu),
    r.target,
    r.verdict,
  ]);
  const table = [head, ...cells].map((row) => row.map(String));
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const pad = (c, i) => (i >= 1 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]));
  const lines = [table[0], widths.map((w) => '-'.repeat(w)), ...table.slice(1)];
  console.log(`\n${lines.map((row) => row.map(pad).join('  ')).join('\n')}`);
  if (rows.some((r) => r.otherCpu > 0.1)) {
    console.warn(
      'WARNING: other programs used over 10% of the CPUs during a scenario (the "other CPU" ' +
        'column): those figures understate the app. Run again on a quiet machine.',
    );
  }
}

function writeReport(rows, logErrors, busyBefore) {
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version };
  machine.cpuBusyShareBefore = Number(busyBefore.toFixed(2));
  const config = { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS };
  const report = { date: new Date().toISOString(), machine, config, results: rows, logErrors };
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(ROOT, RESULTS_FILE)} (${machine.cpus} CPUs)`);
}

async function main() {
  const wanted = process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim());
  const scenarios = SCENARIOS.filter((s) => !wanted || wanted.includes(s.key));
  if (!scenarios.length) throw new Error(`BENCH_SCENARIOS: none of ${SCENARIOS.map((s) => s.key)}`);

  // Anything else running skews every figure on a small machine: record it and say so.
  const busyBefore = await cpuBusyShare();
  if (busyBefore > 0.15) console.warn(`WARNING: CPUs ${Math.round(busyBefore * 100)}% busy`);
  await ensureDatabase();
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: DB_URL,
    DATABASE_SSL: 'false',
    HASHIDS_PUBLIC_SALT: 'public',
    HASHIDS_SECRET_SALT: 'secret',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    // The per-client POST limit would throttle the one bench client standing in for many users.
    POST_RATE_LIMIT: '0',
  };
  const migrate = [TYPEORM_CLI, 'migration:run', '-d', 'dist/database/data-source.js'];
  execFileSync(process.execPath, migrate, { cwd: ROOT, env, stdio: 'inherit' });
  await startServer(env, port);
  const seeded = await seed(
    port,
    scenarios.some((s) => s.probeEventLoop),
  );
  const big = seeded.bigId ? ` and one ${BIG}x${BIG}` : '';
  console.log(
    `\n${seeded.ids.length} grids${big} seeded; ${CONNECTIONS} connections, ${SECONDS} s each`,
  );

  const rows = [];
  for (const scenario of scenarios) {
    // Before anything else asks for the page, so its first request is the uncached one.
    const probe = scenario.probeEventLoop ? await eventLoopProbe(port, scenario, seeded) : null;
    // The warm-up (JIT, pools, caches) is not reported, but its failures are.
    const warmup = await runScenario(port, scenario, seeded, WARMUP_SECONDS);
    const dbPids = await databaseBackendPids();
    const cpuBefore = cpuSnapshot(dbPids);
    let measured;
    if (probe) {
      const loaded = await withProbe(port, () => runScenario(port, scenario, seeded, SECONDS));
      measured = loaded.result;
      probe.underLoad = loaded.probe;
    } else {
      measured = await runScenario(port, scenario, seeded, SECONDS);
    }
    const otherCpu = otherCpuShare(cpuBefore, cpuSnapshot(dbPids));
    rows.push(summarise(scenario, measured, warmup, probe, otherCpu));
  }
  printTable(rows);
  printProbes(rows);
  // ERROR lines in the server log (pool timeouts, crashes) explain what status codes only hint at.
  const logErrors = serverLog().match(/^.*\bERROR\b.*$/gm) ?? [];
  writeReport(rows, logErrors, busyBefore);

  const failed = rows.filter((r) => r.errors > 0);
  if (failed.length === 0 && logErrors.length === 0) return 0; // a MISS alone is not fatal
  console.error('\n!!! THE BENCHMARK HAD ERRORS: these figures are not valid !!!');
  for (const r of failed) console.error(`  ${r.scenario}: ${JSON.stringify(r.detail)}`);
  if (logErrors.length > 0) console.error(`  ERROR lines in ${SERVER_LOG}:\n${logErrors[0]}`);
  return 1;
}

// The server child must never outlive the bench, whatever the way out.
function killServer(signal) {
  if (server && server.exitCode === null && server.signalCode === null) server.kill(signal);
}
process.on('exit', () => killServer('SIGKILL'));
process.on('SIGINT', () => process.exit(130)); // runs the 'exit' handler above
process.on('SIGTERM', () => process.exit(143));

main()
  .catch((err) => {
    console.error(`bench failed: ${err.stack || err}`);
    return 1;
  })
  .then((code) => {
    process.exitCode = code;
    killServer('SIGTERM'); // graceful first (shutdown hooks close the pool), then force
    setTimeout(() => killServer('SIGKILL'), 5000).unref();
  });
