'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: runs with no compile step */
// HTTP benchmark of the production build (`npm run bench` builds first). It migrates a dedicated
// database, starts `node dist/main.js` as production would (NODE_ENV=production, request logging
// on), seeds grids, then drives each scenario with autocannon in-process and checks the targets.
// Env: BENCH_DATABASE_URL (default: local ipb_bench, created if missing), BENCH_SECONDS
// (default 10), BENCH_SCENARIOS=post,get (default: all).
const { execFileSync, spawn } = require('node:child_process');
const { Buffer } = require('node:buffer');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { setTimeout } = require('node:timers');
const { URL } = require('node:url');
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
const MAX_P99_MS = 50; // applies to every scenario

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

// One row per scenario; `key` is what BENCH_SCENARIOS selects. `path` is a string or a function
// (seededIds, n) => path called for every request, so id routes spread over the seeded grids.
// Bodies are sent with no Content-Type header, like the client's `requests.post(data=...)`.
const SCENARIOS = [
  { key: 'post', name: 'POST /post', method: 'POST', path: '/post', body: POST_BODY, minRps: 1500 },
  {
    key: 'get',
    name: 'GET /get/<id>',
    method: 'GET',
    path: (ids, n) => `/get/${ids[n % ids.length]}`,
    minRps: 4000,
  },
];

/** Minimal HTTP client. Not fetch(): fetch adds `Content-Type: text/plain` to string bodies. */
function request(port, method, urlPath, body) {
  const headers = body ? { 'Content-Length': Buffer.byteLength(body) } : {};
  const options = { host: '127.0.0.1', port, method, path: urlPath, headers, timeout: 5000 };
  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, text }));
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

async function seed(port) {
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
  return ids;
}

function runScenario(port, { method, path: p, body }, ids, duration) {
  let n = 0;
  const req = { method, body, headers: {} }; // headers: {} so autocannon adds no Content-Type
  if (typeof p === 'function') req.setupRequest = (r) => ({ ...r, path: p(ids, n++) });
  else req.path = p;
  const url = `http://127.0.0.1:${port}`;
  return autocannon({ url, connections: CONNECTIONS, duration, requests: [req] });
}

const failures = (r) => r.errors + r.timeouts + r.non2xx; // non2xx: 1xx, 3xx, 4xx and 5xx

function summarise(scenario, r, warmup) {
  const errors = failures(r) + failures(warmup);
  const rps = Math.round(r.requests.average);
  const ok = errors === 0 && rps >= scenario.minRps && r.latency.p99 <= MAX_P99_MS;
  return {
    scenario: scenario.name,
    rps,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors,
    requests: r.requests.total,
    detail: { errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, codes: r.statusCodeStats },
    warmupErrors: failures(warmup),
    target: `>= ${scenario.minRps} req/s, p99 <= ${MAX_P99_MS} ms`,
    verdict: ok ? 'PASS' : 'MISS',
  };
}

function printTable(rows) {
  const head = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors/non-2xx', 'target', 'result'];
  const cells = rows.map((r) => [r.scenario, r.rps, r.p50, r.p99, r.errors, r.target, r.verdict]);
  const table = [head, ...cells].map((row) => row.map(String));
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const pad = (c, i) => (i >= 1 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]));
  const lines = [table[0], widths.map((w) => '-'.repeat(w)), ...table.slice(1)];
  console.log(`\n${lines.map((row) => row.map(pad).join('  ')).join('\n')}`);
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
    PORT: String(port),
  };
  const migrate = [TYPEORM_CLI, 'migration:run', '-d', 'dist/database/data-source.js'];
  execFileSync(process.execPath, migrate, { cwd: ROOT, env, stdio: 'inherit' });
  await startServer(env, port);
  const ids = await seed(port);
  console.log(`\n${ids.length} grids seeded; ${CONNECTIONS} connections, ${SECONDS} s each`);

  const rows = [];
  for (const scenario of scenarios) {
    // The warm-up (JIT, pools, caches) is not reported, but its failures are.
    const warmup = await runScenario(port, scenario, ids, WARMUP_SECONDS);
    rows.push(summarise(scenario, await runScenario(port, scenario, ids, SECONDS), warmup));
  }
  printTable(rows);
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
