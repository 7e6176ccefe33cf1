import { Client } from 'pg';
import { isAlive } from '../../src/common/process-alive';

/**
 * On a Postgres server (TEST_DATABASE_URL) every jest worker gets a database of its own, copied
 * from one migrated template by the global setup: workers run side by side without seeing each
 * other's grids, counters or notifications. The names carry the run's process id, so a run that
 * was killed leaves databases the next run recognises and drops.
 */
const PREFIX_ENV = 'IPB_TEST_SERVER_DB_PREFIX';

function withDatabase(url: string, name: string): string {
  const copy = new URL(url);
  copy.pathname = `/${name}`;
  return copy.toString();
}

function baseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: this test needs a Postgres server');
  return url;
}

function workerName(prefix: string, worker: number): string {
  return `${prefix}_w${worker}`;
}

/** This worker's database on the test server. */
export function serverDatabaseUrl(): string {
  const prefix = process.env[PREFIX_ENV];
  // Outside a ring with a global setup (a spec run on its own config): the server's database.
  if (!prefix) return baseUrl();
  return withDatabase(baseUrl(), workerName(prefix, Number(process.env.JEST_WORKER_ID ?? 1)));
}

/** The server's own database (TEST_DATABASE_URL), for creating and dropping others. */
export function adminDatabaseUrl(): string {
  return baseUrl();
}

async function withAdmin<T>(run: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: baseUrl() });
  await admin.connect();
  try {
    return await run(admin);
  } finally {
    await admin.end();
  }
}

function runPrefix(database: string, pid: number): string {
  return `${database}_r${pid}`;
}

/** Drops the databases of runs whose process is gone. */
async function dropStale(admin: Client, database: string): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datname LIKE $1',
    [`${database}\\_r%`],
  );
  for (const { datname } of rows) {
    const pid = Number(/_r(\d+)_/.exec(datname)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) {
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  }
}

/**
 * The template this run migrates, then copies for `workers` workers. Returns the template's URL;
 * `makeWorkerDatabases` is called once it is migrated.
 */
export async function prepareServerTemplate(): Promise<string> {
  const database = new URL(baseUrl()).pathname.slice(1);
  const prefix = runPrefix(database, process.pid);
  process.env[PREFIX_ENV] = prefix;
  await withAdmin(async (admin) => {
    await dropStale(admin, database);
    await admin.query(`CREATE DATABASE "${prefix}_t"`);
  });
  return withDatabase(baseUrl(), `${prefix}_t`);
}

export async function makeWorkerDatabases(workers: number): Promise<void> {
  const prefix = process.env[PREFIX_ENV]!;
  await withAdmin(async (admin) => {
    for (let worker = 1; worker <= workers; worker += 1) {
      await admin.query(`CREATE DATABASE "${workerName(prefix, worker)}" TEMPLATE "${prefix}_t"`);
    }
  });
}

/** Drops this run's template and worker databases. */
export async function dropServerDatabases(): Promise<void> {
  const prefix = process.env[PREFIX_ENV];
  if (!prefix) return;
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${prefix}\\_%`],
    );
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}
