import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { usingServer } from './test-config';
import { serverDatabaseUrl } from './test-database';

export interface EmptyDatabase {
  /** DATABASE_URL, or DATA_DIR: what a server or a test app is given to use it. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * A database with nothing in it, no schema: a new database on the test server, or a new
 * embedded data folder (not a copy of the migrated template).
 */
export async function emptyDatabase(): Promise<EmptyDatabase> {
  if (!usingServer) {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'ipb-empty-')), 'data');
    return { env: { DATA_DIR: dataDir }, drop: () => Promise.resolve() };
  }
  const name = `ipb_empty_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: serverDatabaseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverDatabaseUrl());
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
