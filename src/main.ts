import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pino, { type Logger as RootLogger } from 'pino';
import { AppModule } from './app.module';
import { AppLifecycle } from './common/lifecycle';
import { createRootLogger, PinoNestLogger } from './common/logging';
import { AppConfig, prettyLogsWanted } from './config/app-config';
import { InvalidEnvironmentError } from './config/env';
import { configureApp, NEST_APP_OPTIONS } from './configure-app';

/**
 * The logger exists before anything else, made from the raw environment by the rules AppConfig
 * applies: a boot that fails (invalid environment, database down, data folder locked) is
 * logged in the same format as a running app, JSON lines in production.
 */
function createBootLogger(env: NodeJS.ProcessEnv): RootLogger {
  const level = env.LOG_LEVEL !== undefined && env.LOG_LEVEL in pino.levels.values;
  return createRootLogger({
    prettyLogs: prettyLogsWanted(env.LOG_FORMAT, env.NODE_ENV === 'production'),
    logLevel: level ? env.LOG_LEVEL! : 'info',
  });
}

async function bootstrap(root: RootLogger): Promise<void> {
  const nestLogger = new PinoNestLogger(root);
  // AppConfig warns through Nest's static logger before there is an app.
  Logger.overrideLogger(nestLogger);
  const config = AppConfig.fromEnv();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, root), {
    ...NEST_APP_OPTIONS,
    bufferLogs: false,
    logger: nestLogger,
  });
  configureApp(app);
  const shutdown = exitGracefully(app, config.shutdownTimeoutMs);
  process.once('SIGTERM', () => shutdown('SIGTERM', 0));
  process.once('SIGINT', () => shutdown('SIGINT', 0));
  app.get(AppLifecycle).onFailure((reason) => shutdown(reason, 1));
  await app.listen(config.port);
  new Logger('Bootstrap').log(`Listening on port ${config.port}`);
}

/**
 * Heroku sends SIGTERM, then SIGKILL 30 s later. Drain: /health answers 503 so the router stops
 * sending traffic, every answer carries `Connection: close` so busy keep-alive clients let go,
 * idle connections are closed, the listener stops; when the requests in flight are done the
 * database pool closes and the process exits (0 on a signal, 1 when the process failed). Nest's
 * own shutdown hooks re-raise the signal instead, which exits non-zero.
 */
function exitGracefully(app: NestExpressApplication, timeoutMs: number) {
  const logger = new Logger('Shutdown');
  let closing = false;
  return (why: string, exitCode: 0 | 1): void => {
    if (closing) return;
    closing = true;
    const started = performance.now();
    const message = `${why}: finishing the requests in flight, then exiting`;
    if (exitCode === 0) logger.log(message);
    else logger.error(message);
    app.get(AppLifecycle).startDraining(app.getHttpServer());
    const deadline = setTimeout(() => {
      logger.error(`requests still in flight after ${timeoutMs} ms: exiting anyway`);
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    app.close().then(
      () => {
        logger.log(`closed cleanly in ${Math.round(performance.now() - started)} ms`);
        process.exit(exitCode);
      },
      (err: unknown) => {
        logger.error(`shutdown failed: ${(err as Error).message}`, (err as Error).stack);
        process.exit(1);
      },
    );
  };
}

const root = createBootLogger(process.env);
// Whatever ends the process ends it as one log line, not as Node's text on stderr.
process.on('uncaughtException', (err) => {
  root.fatal({ err }, `uncaught exception: ${err.message}`);
  process.exit(1);
});
bootstrap(root).catch((err: unknown) => {
  // A configuration problem is the operator's to fix: say what it is, without a stack trace.
  if (err instanceof InvalidEnvironmentError) root.fatal(err.message);
  else root.fatal({ err }, `could not start: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
});
