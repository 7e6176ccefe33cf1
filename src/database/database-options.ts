import { join } from 'node:path';
import type { ClientConfig } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { PublicGrid, SecretGrid } from '../grid-storage/grid.entity';
import { HiddenGrid } from '../grid-storage/hidden-grid.entity';
import { TypeOrmLogger } from './typeorm-logger';

/** Where a running process reaches Postgres: the configured server, or the embedded socket. */
export interface DatabaseEndpoint {
  url: string;
  embedded: boolean;
}

// The migrations are part of the app's sources (src/migrations), so every build of the app has
// them: `nest build` and `nest start --watch` alike. Compiled code finds compiled migrations;
// ts-node and jest load the TypeScript sources.
const migrationsGlob = join(
  __dirname,
  '..',
  'migrations',
  __filename.endsWith('.ts') ? '*.ts' : '*.js',
);

/**
 * The one TypeORM options object: used by the Nest module, the TypeORM CLI data source and
 * the import command, so they cannot drift apart.
 */
export function buildDataSourceOptions(
  config: AppConfig,
  endpoint: DatabaseEndpoint,
): DataSourceOptions {
  const server = config.database.kind === 'server' ? config.database : undefined;
  return {
    type: 'postgres',
    url: endpoint.url,
    ssl: server?.ssl,
    entities: [PublicGrid, SecretGrid, HiddenGrid],
    migrations: [migrationsGlob],
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    // The embedded database is private to this process, so it migrates itself at start; a
    // server database is migrated by the release phase (`npm run migration:run`).
    migrationsRun: endpoint.embedded,
    // Each migration in its own transaction: a failed one leaves the earlier ones applied.
    migrationsTransactionMode: 'each',
    logging: ['error', 'warn', 'migration'],
    logger: new TypeOrmLogger(),
    maxQueryExecutionTime: 1000,
    extra: {
      // PGlite serves one connection at a time; more would interleave transactions.
      max: endpoint.embedded ? 1 : (server?.poolMax ?? 4),
      connectionTimeoutMillis: config.databaseConnectTimeoutMs,
      // A dead server must not hang requests: fail them so the API can answer 503.
      query_timeout: 30_000,
      keepAlive: true,
    },
  };
}

/**
 * A connection of its own, outside the pool, to the direct DATABASE_URL: for LISTEN, which needs
 * a session that a transaction pooler would not keep. Same TLS and timeouts as the pool's.
 */
export function sessionClientConfig(config: AppConfig): ClientConfig | undefined {
  if (config.database.kind !== 'server') return undefined;
  return {
    connectionString: config.database.url,
    ssl: config.database.ssl,
    connectionTimeoutMillis: config.databaseConnectTimeoutMs,
    keepAlive: true,
  };
}
