import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { LifecycleModule } from './common/lifecycle.module';
import { LoggingModule } from './common/logging.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { GridApiModule } from './grid-api/grid-api.module';
import { GridPagesModule } from './grid-pages/grid-pages.module';
import { HealthModule } from './health/health.module';
import { PlaygroundModule } from './playground/playground.module';

/**
 * The modules with routes, in the order Nest registers their routes: GridPagesModule's
 * `/:hashId` takes any single path segment, so it comes after every module with a route of one
 * segment (`/health`, `/post`, `/play`). PlaygroundModule's `/:hashId/play` comes after
 * GridApiModule's `/get/:hashId`, so `/get/play` stays the API's. test/e2e/routes.e2e-spec.ts
 * checks every fixed path still reaches its own handler.
 */
export const FEATURES_IN_ROUTE_ORDER = [
  HealthModule,
  GridApiModule,
  PlaygroundModule,
  GridPagesModule,
];

@Module({})
export class AppModule {
  /** `rootLogger`: the process's logger when main.ts made it already; tests let the app make one. */
  static forRoot(config: AppConfig, rootLogger?: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(rootLogger),
        LifecycleModule,
        DatabaseModule.forRoot(),
        ...FEATURES_IN_ROUTE_ORDER,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
