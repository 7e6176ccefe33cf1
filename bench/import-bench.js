'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: runs with no compile step */
// Benchmark of `import-sqlite` from the production build (`npm run bench:import` builds first).
// It generates a large legacy SQLite file (the sample's 400 rows over and over: same sizes, same
// quirks, same id gaps), then runs `node dist/cli.js import-sqlite` as a child into the local
// Postgres server and into a fresh embedded database, and reports rows/s and the child's peak RSS.
// For scale it also reports the child's RSS floor (the same command on an empty file) and the
// ceiling: how fast this Postgres stores the file's grid_data as jsonb with no importer at all.
// Env: BENCH_ROWS (default 200000), BENCH_DATABASE_URL (default: local ipb_bench_import, created
// if missing, its grid tables emptied first), BENCH_TARGETS=server,embedded (default: both),
// BENCH_BATCH_SIZE and BENCH_JOBS (passed as --batch-size and --jobs), BENCH_DIR (where the file
// goes; default the OS tmp), BENCH_MAX_GRID_BYTES (only the sample rows with a grid_data this
// small: how rows/s depends on row size).
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { clearInterval, setInterval } = require('node:timers');
const { URL } = require('node:url');
const Database = require('better-sqlite3');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { Buffer } = require('node:buffer');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');

const ROOT = path.join(__dirname, '..');
const SAMPLE = path.join(ROOT, 'test', 'fixtures', 'legacy-sample.db');
const TYPEORM_CLI = path.join(ROOT, 'node_modules', 'typeorm', 'cli.js');
const RESULTS_FILE = path.join(__dirname, 'results', 'import-latest.json');
const ROWS = Number(process.env.BENCH_ROWS || 200_000);
const MAX_GRID_BYTES = Number(process.env.BENCH_MAX_GRID_BYTES || 0);
const DB_URL =
  process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/ipb_bench_import';
const TARGETS = (process.env.BENCH_TARGETS || 'server,embedded').split(',').map((s) => s.trim());
const MIN_SERVER_ROWS_PER_S = 20_000;
const MAX_PEAK_RSS_MB = 300;

/**
 * The sample's rows repeated until `rows` rows: each repetition shifts the ids past the last one,
 * so the gaps (deleted ids) repeat too. Kept between runs: writing it takes a while.
 */
function legacyFile(rows) {
  const dir = process.env.BENCH_DIR || os.tmpdir();
  const small = MAX_GRID_BYTES ? `-under-${MAX_GRID_BYTES}b` : '';
  const file = path.join(dir, `ipb-legacy-bench-${rows}${small}.db`);
  if (fs.existsSync(file)) return file;
  const sample = new Database(SAMPLE, { readonly: true });
  const tables = ['public_grids', 'secret_grids'].map((table) => ({
    table,
    rows: sample
      .prepare(`SELECT * FROM ${table} WHERE length(grid_data) <= ? ORDER BY id`)
      .all(MAX_GRID_BYTES || Number.MAX_SAFE_INTEGER),
    span: sample.prepare(`SELECT max(id) AS n FROM ${table}`).get().n,
  }));
  sample.close();
  const sampleRows = tables.reduce((n, t) => n + t.rows.length, 0);
  const partial = `${file}.partial`;
  fs.rmSync(partial, { force: true });
  const db = new Database(partial);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  const columns = 'id, ipb_version, python_version, grid_data, secret, code_cells, ipb_class';
  for (const { table, rows: source, span } of tables) {
    db.exec(
      `CREATE TABLE ${table} (id INTEGER NOT NULL PRIMARY KEY, ipb_version TEXT, ` +
        'python_version TEXT, grid_data TEXT, secret BOOLEAN, code_cells TEXT, ipb_class TEXT)',
    );
    const insert = db.prepare(
      `INSERT INTO ${table} (${columns}) VALUES (${columns.replace(/\w+/g, '@$&')})`,
    );
    // This table's share of the rows, in the sample's proportion.
    const wanted = Math.round((rows * source.length) / sampleRows);
    db.transaction(() => {
      for (let i = 0; i < wanted; i++) {
        const row = source[i % source.length];
        insert.run({ ...row, id: Math.floor(i / source.length) * span + row.id });
      }
    })();
  }
  db.close();
  fs.renameSync(partial, file);
  return file;
}

async function prepareServerDatabase() {
  if (!process.env.BENCH_DATABASE_URL) {
    const url = new URL(DB_URL);
    const name = url.pathname.slice(1);
    url.pathname = '/postgres';
    const admin = new Client({ connectionString: url.toString() });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } catch (err) {
      if (err.code !== '42P04') throw err; // 42P04 = duplicate_database: already there
    } finally {
      await admin.end();
    }
  }
  const env = { ...process.env, DATABASE_URL: DB_URL, DATABASE_SSL: 'false' };
  const migrate = [TYPEORM_CLI, 'migration:run', '-d', 'dist/database/data-source.js'];
  execFileSync(process.execPath, migrate, { cwd: ROOT, env, stdio: 'ignore' });
  // A fresh import each time: rows already present would be compared, not inserted.
  const client = new Client({ connectionString: DB_URL });
  await client.connect();
  await client.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY');
  await client.end();
}

/** Peak RSS (VmHWM) of a running process in MB, or null once it is gone. */
function peakRssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
  } catch {
    return null;
  }
}

let child; // killed on every way out (see the bottom of the file)

function runImport(target, file, dataDir) {
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    HASHIDS_PUBLIC_SALT: 'public',
    HASHIDS_SECRET_SALT: 'secret',
  };
  delete env.DATABASE_URL;
  if (target === 'server') Object.assign(env, { DATABASE_URL: DB_URL, DATABASE_SSL: 'false' });
  else env.DATA_DIR = dataDir;
  const args = [
    'dist/cli.js',
    'import-sqlite',
    file,
    '--rejects',
    path.join(os.tmpdir(), 'ipb-bench-rejects.jsonl'),
  ];
  if (process.env.BENCH_BATCH_SIZE) args.push('--batch-size', process.env.BENCH_BATCH_SIZE);
  if (process.env.BENCH_JOBS) args.push('--jobs', process.env.BENCH_JOBS);
  const started = Date.now();
  child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => process.stderr.write(c));
  let peak = 0;
  // VmHWM is the process's own high-water mark: polling it misses no peak, only the last tenth
  // of a second before exit, which is the summary being printed.
  const poll = setInterval(() => (peak = Math.max(peak, peakRssMb(child.pid) ?? 0)), 100);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(poll);
      const seconds = (Date.now() - started) / 1000;
      const summary = /(\d+) rows read in ([\d.]+) s \((\d+) rows\/s\), ([\d.]+) s in all/.exec(
        stdout,
      );
      resolve({ target, code, seconds, peak, summary, stdout });
    });
  });
}

function report(file, runs, { ceiling, loadBefore }) {
  const stat = fs.statSync(file);
  const result = runs.map((r) => {
    const [rows, importSeconds, rowsPerSecond, totalSeconds] = (r.summary ?? [])
      .slice(1)
      .map(Number);
    const target = r.target === 'server' ? MIN_SERVER_ROWS_PER_S : null;
    const verdict = (ok) => (r.code === 0 && ok ? 'PASS' : 'MISS');
    const verdicts = [`peak RSS < ${MAX_PEAK_RSS_MB} MB: ${verdict(r.peak < MAX_PEAK_RSS_MB)}`];
    if (target) verdicts.unshift(`>= ${target} rows/s: ${verdict(rowsPerSecond >= target)}`);
    return {
      target: r.target,
      exitCode: r.code,
      rows,
      importSeconds,
      rowsPerSecond,
      totalSecondsWithVerification: totalSeconds,
      wallSeconds: r.seconds,
      peakRssMb: r.peak,
      idlePeakRssMb: r.floor,
      verdicts: verdicts.join(', '),
    };
  });
  const megabytes = Math.round(stat.size / 1024 / 1024);
  console.log(`\nfile: ${file} (${megabytes} MB, ${ROWS} rows)`);
  console.log(`load average before: ${loadBefore.toFixed(2)} on ${os.cpus().length} CPUs`);
  if (ceiling)
    console.log(
      `ceiling: Postgres alone stores this grid_data as jsonb at ${ceiling.rowsPerSecond} rows/s ` +
        `(${ceiling.connections} COPYs side by side, no importer running)`,
    );
  const head = [
    'target',
    'rows',
    'import s',
    'rows/s',
    'with verify s',
    'peak RSS MB',
    'idle RSS MB',
    'result',
  ];
  const cells = result.map((r) => [
    r.target,
    r.rows,
    r.importSeconds,
    r.rowsPerSecond,
    r.totalSecondsWithVerification,
    r.peakRssMb,
    r.idlePeakRssMb,
    r.verdicts,
  ]);
  const table = [head, ...cells].map((row) => row.map(String));
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  console.log('');
  for (const row of table) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  '));
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version };
  const out = {
    date: new Date().toISOString(),
    machine: { ...machine, loadAverageBefore: Number(loadBefore.toFixed(2)) },
    file: { rows: ROWS, megabytes, maxGridBytes: MAX_GRID_BYTES || null },
    options: { batchSize: process.env.BENCH_BATCH_SIZE, jobs: process.env.BENCH_JOBS },
    postgresJsonbCopyCeiling: ceiling,
    results: result,
  };
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(ROOT, RESULTS_FILE)}`);
  return result;
}

/**
 * Rows/s at which this Postgres alone stores the file's grid_data as the import must (jsonb, lz4
 * where the server has it, a primary key, logged), with one COPY per CPU side by side and nothing
 * else running: the ceiling no importer on this machine can pass, whatever its own cost per row.
 * Measured on the first rows of the file, their text prepared in memory before the clock starts.
 */
async function jsonbCopyCeiling(file, rows = 20_000) {
  const db = new Database(file, { readonly: true });
  const texts = db
    .prepare('SELECT grid_data FROM public_grids ORDER BY id LIMIT ?')
    .pluck()
    .all(rows)
    .filter((text) => {
      try {
        JSON.parse(text);
        return true;
      } catch {
        return false; // the sample's corrupt rows, which the import rejects
      }
    });
  db.close();
  const connections = os.cpus().length;
  const escape = (t) =>
    t.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]);
  const shares = Array.from({ length: connections }, (_, c) => {
    const lines = texts
      .map((t, i) => [i, t])
      .filter(([i]) => i % connections === c)
      .map(([i, t]) => `${i + 1}\t${escape(t)}\n`);
    return Buffer.from(lines.join(''));
  });
  const clients = shares.map(() => new Client({ connectionString: DB_URL }));
  await Promise.all(clients.map((c) => c.connect()));
  try {
    await clients[0].query('DROP TABLE IF EXISTS bench_copy_ceiling');
    await clients[0].query('CREATE TABLE bench_copy_ceiling (id integer PRIMARY KEY, g jsonb)');
    await clients[0]
      .query('ALTER TABLE bench_copy_ceiling ALTER COLUMN g SET COMPRESSION lz4')
      .catch(() => undefined); // a server built without lz4 keeps pglz, as the import does
    const started = process.hrtime.bigint();
    await Promise.all(
      clients.map((c, i) =>
        pipeline(
          Readable.from([shares[i]]),
          c.query(copyFrom('COPY bench_copy_ceiling FROM STDIN')),
        ),
      ),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rowsPerSecond: Math.round(texts.length / seconds), connections };
  } finally {
    await clients[0].query('DROP TABLE IF EXISTS bench_copy_ceiling').catch(() => undefined);
    await Promise.all(clients.map((c) => c.end()));
  }
}

async function main() {
  console.log(`generating (or reusing) a legacy file of ${ROWS} rows ...`);
  const file = legacyFile(ROWS);
  const empty = legacyFile(0);
  const loadBefore = os.loadavg()[0];
  const runs = [];
  let ceiling = null;
  for (const target of TARGETS) {
    if (target !== 'server' && target !== 'embedded') throw new Error(`BENCH_TARGETS: ${target}?`);
    let dataDir;
    if (target === 'server') {
      await prepareServerDatabase();
      ceiling = await jsonbCopyCeiling(file);
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ipb-bench-embedded-'));
      // The first start of an embedded database runs initdb, which needs far more memory than
      // anything after it: get it done before measuring.
      await runImport(target, empty, dataDir);
    }
    const floor = await runImport(target, empty, dataDir);
    console.log(`\nimporting into the ${target} database ...`);
    const run = await runImport(target, file, dataDir);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    if (run.code !== 0) console.error(`import exited ${run.code}:\n${run.stdout}`);
    runs.push({ ...run, floor: floor.peak });
  }
  const results = report(file, runs, { ceiling, loadBefore });
  return results.every((r) => r.exitCode === 0) ? 0 : 1; // a MISS alone is not fatal
}

// The child must never outlive the bench, whatever the way out.
process.on('exit', () => child?.exitCode === null && !child.signalCode && child.kill('SIGKILL'));
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.on(signal, () => process.exit(code));
}
main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(`bench failed: ${err.stack || err}`);
    process.exitCode = 1;
  },
);
