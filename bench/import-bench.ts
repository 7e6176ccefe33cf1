/**
 * `npm run bench:import`: the benchmark of `import-sqlite` from the production build (the script
 * builds first). It generates a large legacy SQLite file (the sample's 400 rows over and over:
 * same sizes, same quirks, same id gaps), then runs `node dist/cli.js import-sqlite` as a child
 * into the local Postgres server and into a fresh embedded database, and reports rows/s and the
 * child's peak RSS. For scale it also reports the child's RSS floor (the same command on an empty
 * file) and the ceiling: how fast this Postgres stores the file's grid_data as jsonb with no
 * importer at all.
 *
 * Env: BENCH_ROWS (default 200000), BENCH_DATABASE_URL (default: local ipb_bench_import, created
 * if missing, its grid tables emptied first), BENCH_TARGETS=server,embedded (default: both),
 * BENCH_BATCH_SIZE and BENCH_JOBS (passed as --batch-size and --jobs), BENCH_DIR (where the file
 * goes; default the OS tmp), BENCH_MAX_GRID_BYTES (only the sample rows with a grid_data this
 * small: how rows/s depends on row size).
 */
import { Sqlite as Database } from '../src/legacy-import/sqlite-driver';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  benchDatabaseUrl,
  createBenchDatabase,
  killOnExit,
  machineInfo,
  processMemoryMb,
  ROOT,
  runMigrations,
  writeResults,
} from './support';

const SAMPLE = join(ROOT, 'test', 'fixtures', 'legacy-sample.db');
const ROWS = Number(process.env.BENCH_ROWS || 200_000);
const MAX_GRID_BYTES = Number(process.env.BENCH_MAX_GRID_BYTES || 0);
const DB_URL = benchDatabaseUrl('ipb_bench_import');
const TARGETS = (process.env.BENCH_TARGETS || 'server,embedded').split(',').map((s) => s.trim());
const MIN_SERVER_ROWS_PER_S = 20_000;
const MAX_PEAK_RSS_MB = 300;

type Target = 'server' | 'embedded';

interface Run {
  target: Target;
  code: number | null;
  seconds: number;
  /** The child's peak RSS in MB. */
  peak: number;
  /** The summary line's figures: rows read, import seconds, rows/s, seconds with verification. */
  summary: RegExpExecArray | null;
  stdout: string;
}

/**
 * The sample's rows repeated until `rows` rows: each repetition shifts the ids past the last one,
 * so the gaps (deleted ids) repeat too. Kept between runs: writing it takes a while.
 */
function legacyFile(rows: number): string {
  const dir = process.env.BENCH_DIR || tmpdir();
  const small = MAX_GRID_BYTES ? `-under-${MAX_GRID_BYTES}b` : '';
  const file = join(dir, `ipb-legacy-bench-${rows}${small}.db`);
  if (existsSync(file)) return file;
  const sample = new Database(SAMPLE, { readonly: true });
  const tables = ['public_grids', 'secret_grids'].map((table) => ({
    table,
    rows: sample
      .prepare(`SELECT * FROM ${table} WHERE length(grid_data) <= ? ORDER BY id`)
      .all(MAX_GRID_BYTES || Number.MAX_SAFE_INTEGER) as { id: number }[],
    span: (sample.prepare(`SELECT max(id) AS n FROM ${table}`).get() as { n: number }).n,
  }));
  sample.close();
  const sampleRows = tables.reduce((n, t) => n + t.rows.length, 0);
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
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
  renameSync(partial, file);
  return file;
}

async function prepareServerDatabase(): Promise<void> {
  await createBenchDatabase(DB_URL);
  await runMigrations({ ...process.env, DATABASE_URL: DB_URL, DATABASE_SSL: 'false' });
  // A fresh import each time: rows already present would be compared, not inserted.
  const client = new Client({ connectionString: DB_URL });
  await client.connect();
  await client.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY');
  await client.end();
}

function runImport(target: Target, file: string, dataDir?: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
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
    join(tmpdir(), 'ipb-bench-rejects.jsonl'),
  ];
  if (process.env.BENCH_BATCH_SIZE) args.push('--batch-size', process.env.BENCH_BATCH_SIZE);
  if (process.env.BENCH_JOBS) args.push('--jobs', process.env.BENCH_JOBS);
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => process.stderr.write(c));
  let peak = 0;
  // VmHWM is the process's own high-water mark: polling it misses no peak, only the last tenth
  // of a second before exit, which is the summary being printed.
  const poll = setInterval(() => {
    const memory = processMemoryMb(child.pid!);
    peak = Math.max(peak, memory ? Math.round(memory.peak) : 0);
  }, 100);
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

interface Ceiling {
  rowsPerSecond: number;
  connections: number;
}

function report(
  file: string,
  runs: (Run & { floor: number })[],
  { ceiling, loadBefore }: { ceiling: Ceiling | null; loadBefore: number },
) {
  const stat = statSync(file);
  const result = runs.map((r) => {
    const [rows, importSeconds, rowsPerSecond, totalSeconds] = (r.summary ?? [])
      .slice(1)
      .map(Number);
    const target = r.target === 'server' ? MIN_SERVER_ROWS_PER_S : null;
    const verdict = (ok: boolean) => (r.code === 0 && ok ? 'PASS' : 'MISS');
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
  console.log(`load average before: ${loadBefore.toFixed(2)} on ${cpus().length} CPUs`);
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
  const out = {
    date: new Date().toISOString(),
    machine: { ...machineInfo(), loadAverageBefore: Number(loadBefore.toFixed(2)) },
    file: { rows: ROWS, megabytes, maxGridBytes: MAX_GRID_BYTES || null },
    options: { batchSize: process.env.BENCH_BATCH_SIZE, jobs: process.env.BENCH_JOBS },
    postgresJsonbCopyCeiling: ceiling,
    results: result,
  };
  console.log(`\nwrote ${writeResults('import', out)}`);
  return result;
}

/**
 * Rows/s at which this Postgres alone stores the file's grid_data as the import must (jsonb, lz4
 * where the server has it, a primary key, logged), with one COPY per CPU side by side and nothing
 * else running: the ceiling no importer on this machine can pass, whatever its own cost per row.
 * Measured on the first rows of the file, their text prepared in memory before the clock starts.
 */
async function jsonbCopyCeiling(file: string, rows = 20_000): Promise<Ceiling> {
  const db = new Database(file, { readonly: true });
  const texts = (
    db
      .prepare('SELECT grid_data FROM public_grids ORDER BY id LIMIT ?')
      .pluck()
      .all(rows) as string[]
  ).filter((text) => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false; // the sample's corrupt rows, which the import rejects
    }
  });
  db.close();
  const connections = cpus().length;
  const escapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  const escape = (t: string) => t.replace(/[\\\n\r\t]/g, (c) => escapes[c]);
  const shares = Array.from({ length: connections }, (_, c) => {
    const lines = texts
      .map((t, i) => [i, t] as const)
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

async function main(): Promise<number> {
  console.log(`generating (or reusing) a legacy file of ${ROWS} rows ...`);
  const file = legacyFile(ROWS);
  const empty = legacyFile(0);
  const loadBefore = loadavg()[0];
  const runs: (Run & { floor: number })[] = [];
  let ceiling: Ceiling | null = null;
  for (const target of TARGETS) {
    if (target !== 'server' && target !== 'embedded') throw new Error(`BENCH_TARGETS: ${target}?`);
    let dataDir: string | undefined;
    if (target === 'server') {
      await prepareServerDatabase();
      ceiling = await jsonbCopyCeiling(file);
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'ipb-bench-embedded-'));
      // The first start of an embedded database runs initdb, which needs far more memory than
      // anything after it: get it done before measuring.
      await runImport(target, empty, dataDir);
    }
    const floor = await runImport(target, empty, dataDir);
    console.log(`\nimporting into the ${target} database ...`);
    const run = await runImport(target, file, dataDir);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (run.code !== 0) console.error(`import exited ${run.code}:\n${run.stdout}`);
    runs.push({ ...run, floor: floor.peak });
  }
  const results = report(file, runs, { ceiling, loadBefore });
  return results.every((r) => r.exitCode === 0) ? 0 : 1; // a MISS alone is not fatal
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 1;
  },
);
