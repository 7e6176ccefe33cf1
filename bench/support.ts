/**
 * What the benchmark scripts share: their databases, the migrations, /proc readers, the results
 * files, the Procfile's web command, and never leaving a child process behind.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from 'pg';

export const ROOT = join(__dirname, '..');

/** BENCH_DATABASE_URL, or the bench's own database `name` on the local Postgres server. */
export function benchDatabaseUrl(name: string): string {
  return process.env.BENCH_DATABASE_URL || `postgres://postgres@127.0.0.1:5432/${name}`;
}

/**
 * Creates the bench's own database if it is missing (dropped first when `fresh`). A database
 * named by BENCH_DATABASE_URL is someone else's: it is never created nor dropped.
 */
export async function createBenchDatabase(url: string, { fresh = false } = {}): Promise<void> {
  if (process.env.BENCH_DATABASE_URL) return;
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    if (fresh) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') throw err; // duplicate_database: there already
  } finally {
    await client.end();
  }
}

/** `typeorm migration:run` from the build, as the Procfile's release phase runs before the web. */
export async function runMigrations(env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(
    process.execPath,
    ['node_modules/typeorm/cli.js', 'migration:run', '-d', 'dist/database/data-source.js'],
    { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`migration:run exited ${code}`);
}

/** CPU time (ms) a process has used, from /proc/<pid>/stat; null where that cannot be read. */
export function processCpuMs(pid: number): number | null {
  try {
    // Fields 14 and 15: user and system time in clock ticks (100 a second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * Resident and peak resident (VmHWM, the process's own high-water mark) memory of a process in
 * MB, from /proc/<pid>/status; null once it is gone.
 */
export function processMemoryMb(pid: number): { rss: number; peak: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  const rss = kb('VmRSS');
  const peak = kb('VmHWM');
  // An exited process not yet reaped still has a status file, without the memory lines.
  return Number.isFinite(rss) && Number.isFinite(peak)
    ? { rss: rss / 1024, peak: peak / 1024 }
    : null;
}

/** The machine the figures were measured on, for the results files. */
export function machineInfo(): { cpus: number; cpuModel: string | undefined; node: string } {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version };
}

/** Writes bench/results/<name>-latest.json; answers its path from the project's root. */
export function writeResults(name: string, report: object): string {
  const file = join(__dirname, 'results', `${name}-latest.json`);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return relative(ROOT, file);
}

const children = new Set<ChildProcess>();
let guarding = false;

/** SIGKILLs `child` if this process exits first, whatever the way out (an error, Ctrl-C, SIGTERM). */
export function killOnExit(child: ChildProcess): ChildProcess {
  if (!guarding) {
    guarding = true;
    process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
    // Without these, a signal ends the process without running the 'exit' handler.
    process.on('SIGINT', () => process.exit(130));
    process.on('SIGTERM', () => process.exit(143));
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
