import 'reflect-metadata';
import type { Config } from '@jest/types';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/database-options';
import { EmbeddedPostgres } from '../src/database/embedded-postgres';
import { enterRunDir } from './support/run-dir';
import { EMBEDDED_TEMPLATE_ENV } from './support/test-config';
import { makeWorkerDatabases, prepareServerTemplate } from './support/test-database';

/**
 * Migrations run once here, into a template. On a server (TEST_DATABASE_URL) the template is a
 * database of this run's, copied into one database per jest worker; for the embedded database
 * it is a migrated data folder that every test app copies. Either way each test file gets a
 * private database without paying for migrations (or initdb) again.
 */
export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  // Before anything makes a folder: they all go in this run's, which the teardown removes.
  enterRunDir();
  const onServer = Boolean(process.env.TEST_DATABASE_URL);
  const config = AppConfig.fromEnv({
    NODE_ENV: 'test',
    HASHIDS_PUBLIC_SALT: 'public',
    HASHIDS_SECRET_SALT: 'secret',
    DATABASE_URL: onServer ? await prepareServerTemplate() : undefined,
    DATA_DIR: onServer ? undefined : mkdtempSync(join(tmpdir(), 'ipb-template-')),
  });
  let embedded: EmbeddedPostgres | undefined;
  let url: string;
  if (config.database.kind === 'server') {
    url = config.database.url;
  } else {
    embedded = new EmbeddedPostgres(config.database.dataDir);
    url = await embedded.start();
    process.env[EMBEDDED_TEMPLATE_ENV] = config.database.dataDir;
  }
  const dataSource = new DataSource({
    ...buildDataSourceOptions(config, { url, embedded: false }),
    logging: ['error'],
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  await embedded?.stop();
  if (onServer) await makeWorkerDatabases(globalConfig.maxWorkers);
}
