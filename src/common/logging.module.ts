import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { createRootLogger, ROOT_LOGGER } from './logging';

@Global()
@Module({
  providers: [{ provide: ROOT_LOGGER, inject: [AppConfig], useFactory: createRootLogger }],
  exports: [ROOT_LOGGER],
})
export class LoggingModule {}
