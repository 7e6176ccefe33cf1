import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { RequestLoggerMiddleware } from './common/request-logger.middleware';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { GridsModule } from './grids/grids.module';
import { HealthModule } from './health/health.module';

@Module({})
export class AppModule implements NestModule {
  private static requestLog = true;

  static forRoot(config: AppConfig): DynamicModule {
    AppModule.requestLog = config.requestLog;
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(), GridsModule, HealthModule],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    if (AppModule.requestLog) consumer.apply(RequestLoggerMiddleware).forRoutes('{*path}');
  }
}
