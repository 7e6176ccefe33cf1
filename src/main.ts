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
  exitGracefullyOnSignals(app, config.shutdownTimeoutMs);
}

/**
 * Heroku sends SIGTERM, then SIGKILL 30 s later. Stop accepting connections, let requests in
 * flight finish, close the database pool, and exit 0. Nest's own shutdown hooks re-raise the
 * signal instead, which exits non-zero.
 */
function exitGracefullyOnSignals(app: NestExpressApplication, timeoutMs: number): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: finishing the requests in flight, then exiting`);
    const deadline = setTimeout(() => {
      logger.error(`requests still in flight after ${timeoutMs} ms: exiting anyway`);
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    app.close().then(
      () => {
        logger.log('closed cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error(`shutdown failed: ${(err as Error).message}`, (err as Error).stack);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

bootstrap().catch((err: unknown) => {
  // A configuration problem is the operator's to fix: say what it is, without a stack trace.
  if (err instanceof InvalidEnvironmentError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
