import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { createRootLogger, ROOT_LOGGER } from './logging';

@Global()
@Module({})
export class LoggingModule {
  /** main.ts brings the logger it made before the app (so boot failures are JSON too). */
  static forRoot(root?: Logger): DynamicModule {
    return {
      module: LoggingModule,
      providers: [
        root
          ? { provide: ROOT_LOGGER, useValue: root }
          : { provide: ROOT_LOGGER, inject: [AppConfig], useFactory: createRootLogger },
      ],
      exports: [ROOT_LOGGER],
    };
  }
}
