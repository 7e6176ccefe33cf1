import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../../src/config/app-config';
import { serverDatabaseUrl } from './test-database';

/** Set by global-setup: a migrated embedded data folder that each test app copies. */
export const EMBEDDED_TEMPLATE_ENV = 'IPB_TEST_EMBEDDED_TEMPLATE';

/** A POST_RATE_LIMIT no test reaches: posts are still counted, in the database. */
export const RATE_LIMIT_OUT_OF_REACH = '1000000';

/** True when the suite runs against a Postgres server (TEST_DATABASE_URL) rather than PGlite. */
export const usingServer = Boolean(process.env.TEST_DATABASE_URL);

/** A fresh embedded data folder, already migrated, private to one test app. */
export function freshEmbeddedDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ipb-test-'));
  const template = process.env[EMBEDDED_TEMPLATE_ENV];
  if (template) cpSync(template, dir, { recursive: true });
  return dir;
}

/**
 * The configuration a test app runs with: the same validation as production, pointed at
 * TEST_DATABASE_URL when set, otherwise at a fresh embedded database.
 */
export function testConfig(env: Record<string, string | undefined> = {}): AppConfig {
  const base: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    REQUEST_LOG: 'false',
    HASHIDS_PUBLIC_SALT: 'public',
    HASHIDS_SECRET_SALT: 'secret',
    // Every test posts from 127.0.0.1, and on a server database the counts of every test file
    // (and process) in the same minute add up; tests of the limit set their own.
    POST_RATE_LIMIT: RATE_LIMIT_OUT_OF_REACH,
  };
  if (usingServer) base.DATABASE_URL = serverDatabaseUrl();
  else base.DATA_DIR = freshEmbeddedDataDir();
  return AppConfig.fromEnv({ ...base, ...env });
}
