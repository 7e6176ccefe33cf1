import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { InvalidEnvironmentError } from './config/env';
import { configureApp, NEST_APP_OPTIONS } from './configure-app';

async function bootstrap(): Promise<void> {
  const config = AppConfig.fromEnv();
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config),
    NEST_APP_OPTIONS,
  );
  configureApp(app);
  await app.listen(config.port);
  new Logger('Bootstrap').log(`Listening on port ${config.port}`);
}

bootstrap().catch((err: unknown) => {
  // A configuration problem is the operator's to fix: say what it is, without a stack trace.
  if (err instanceof InvalidEnvironmentError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
