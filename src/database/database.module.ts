import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { StartupError } from '../common/startup-error';
import { AppLifecycle } from '../common/lifecycle';
import { AppConfig } from '../config/app-config';
import { explainConnectError } from './connect-errors';
import { buildDataSourceOptions, DatabaseEndpoint } from './database-options';
import { EmbeddedPostgres } from './embedded-postgres';
import { schemaProblem } from './schema-status';
import { StorageMonitor } from './storage-monitor';

const DATABASE_ENDPOINT = Symbol('DATABASE_ENDPOINT');

/** Owns the embedded database's lifetime when no DATABASE_URL is configured. */
@Injectable()
class DatabaseEndpointLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE_ENDPOINT)
    private readonly endpoint: DatabaseEndpoint & { owner?: EmbeddedPostgres },
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.endpoint.owner) return;
    // The pool must close before the embedded server does, whatever order Nest runs hooks in.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource?.isInitialized) await dataSource.destroy();
    await this.endpoint.owner.stop();
  }
}

/**
 * A server database is migrated by `npm run migration:run`, not by the app: a developer who has
 * not run it learns so at start, not from a 500 (/health says it too).
 */
@Injectable()
class SchemaCheck implements OnApplicationBootstrap {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onApplicationBootstrap(): Promise<void> {
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    const problem = await schemaProblem(dataSource).catch(() => undefined);
    if (problem) new Logger('Database').warn(`The database schema is not up to date: ${problem}`);
  }
}

@Module({})
class DatabaseEndpointModule {
  static register(): DynamicModule {
    return {
      module: DatabaseEndpointModule,
      providers: [
        {
          provide: DATABASE_ENDPOINT,
          inject: [AppConfig, AppLifecycle],
          useFactory: async (config: AppConfig, lifecycle: AppLifecycle) => {
            if (config.database.kind === 'server') {
              // Queries go through Heroku's pooler when there is one; LISTEN does not (sessionClientConfig).
              const { url, poolUrl } = config.database;
              return { url: poolUrl ?? url, embedded: false };
            }
            // The process cannot go on without its database: main.ts exits on a failure.
            const owner = new EmbeddedPostgres(config.database.dataDir, (reason) =>
              lifecycle.fail(reason),
            );
            return { url: await owner.start(), embedded: true, owner };
          },
        },
        DatabaseEndpointLifecycle,
      ],
      exports: [DATABASE_ENDPOINT],
    };
  }
}

@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      // The grids refuse posts on a full disk, the exception filter and /health report it.
      global: true,
      providers: [StorageMonitor, SchemaCheck],
      exports: [StorageMonitor],
      imports: [
        TypeOrmModule.forRootAsync({
          imports: [DatabaseEndpointModule.register()],
          inject: [AppConfig, DATABASE_ENDPOINT],
          useFactory: (config: AppConfig, endpoint: DatabaseEndpoint) => ({
            ...buildDataSourceOptions(config, endpoint),
            // A database that is down at boot is retried briefly, then the boot fails loudly;
            // one that can never work as configured (no TLS, say) ends the boot at once.
            retryAttempts: 5,
            retryDelay: 2000,
            toRetry: (err: unknown) => !(err instanceof StartupError),
          }),
          dataSourceFactory: async (options?: DataSourceOptions) => {
            try {
              return await new DataSource(options!).initialize();
            } catch (err) {
              throw explainConnectError(err, (options as { url?: string }).url ?? '');
            }
          },
        }),
      ],
    };
  }
}
