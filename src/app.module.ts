import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { LifecycleModule } from './common/lifecycle.module';
import { LoggingModule } from './common/logging.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { GridPagesModule, GridsModule } from './grid-pages/grid-pages.module';
import { HealthModule } from './health/health.module';

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
        GridsModule,
        HealthModule,
        // Last: its `/:hashId` route must not shadow any other.
        GridPagesModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
