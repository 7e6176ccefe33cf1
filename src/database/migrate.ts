import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StartupError } from '../common/startup-error';
import { createBootLogger, PinoNestLogger } from '../common/logging';
import { AppConfig } from '../config/app-config';
import { explainConnectError } from './connect-errors';
import { buildDataSourceOptions } from './database-options';

/**
 * The release phase (`npm run migration:run`, the Procfile's `release:`): applies the pending
 * migrations to the server database and says which, or that there were none, in the app's own
 * log format. A failure is one line (a StartupError) or one error with its stack, and exit 1:
 * Heroku then keeps the previous release running.
 */
async function migrate(logger: Logger): Promise<void> {
  const config = AppConfig.fromEnv();
  if (config.database.kind !== 'server') {
    throw new StartupError(
      'DATABASE_URL is not set: migration:run applies migrations to a Postgres server. ' +
        'The embedded database applies its migrations by itself when the app starts.',
    );
  }
  // The direct URL: a migration may need a session (Heroku's pooler is transaction mode).
  const { url } = config.database;
  const dataSource = new DataSource(buildDataSourceOptions(config, { url, embedded: false }));
  try {
    await dataSource.initialize();
  } catch (err) {
    throw explainConnectError(err, url);
  }
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length === 0) {
      logger.log(
        `No migrations pending: the schema is up to date (${dataSource.migrations.length} applied)`,
      );
    } else {
      const names = applied.map((migration) => migration.name).join(', ');
      const count = `${applied.length} migration${applied.length === 1 ? '' : 's'}`;
      logger.log(`Applied ${count}: ${names}`);
    }
  } finally {
    await dataSource.destroy();
  }
}

const root = createBootLogger(process.env);
Logger.overrideLogger(new PinoNestLogger(root));
// The log's destination writes what is buffered at exit.
migrate(new Logger('Release')).then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof StartupError) root.fatal(err.message);
    else root.fatal({ err }, `migrations failed: ${(err as Error)?.message ?? String(err)}`);
    process.exit(1);
  },
);
