import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger as RootLogger } from 'pino';
import { AppModule } from './app.module';
import { AppLifecycle } from './common/lifecycle';
import { HttpDrain } from './common/http-drain';
import { createBootLogger, PinoNestLogger } from './common/logging';
import { watchStarter } from './common/parent-watch';
import { checkPortFree, listenOn, StartupError } from './common/startup-error';
import { AppConfig } from './config/app-config';
import { configureApp, NEST_APP_OPTIONS } from './configure-app';

async function bootstrap(root: RootLogger): Promise<void> {
  // With abortOnError off, Nest rethrows what its ExceptionHandler logs: logged once, below.
  const nestLogger = new PinoNestLogger(root, new Set(['ExceptionHandler']));
  // AppConfig warns through Nest's static logger before there is an app.
  Logger.overrideLogger(nestLogger);
  const config = AppConfig.fromEnv();
  await checkPortFree(config.port);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, root), {
    ...NEST_APP_OPTIONS,
    bufferLogs: false,
    logger: nestLogger,
    abortOnError: false,
  });
  configureApp(app);
  const shutdown = exitGracefully(
    app,
    new HttpDrain(app.getHttpServer()),
    config.shutdownTimeoutMs,
  );
  process.once('SIGTERM', () => shutdown('SIGTERM', 0));
  process.once('SIGINT', () => shutdown('SIGINT', 0));
  app.get(AppLifecycle).onFailure((reason) => shutdown(reason, 1));
  if (process.env.npm_lifecycle_event) exitWithNpm(shutdown);
  await app.init();
  // Not app.listen(): it logs a failure as a stack of its own before rejecting.
  await listenOn(app.getHttpServer(), config.port);
  new Logger('Bootstrap').log(`Listening on port ${config.port}`);
}

/**
 * Started by npm (`npm start`): npm exits on SIGTERM without passing it on to node, which would
 * leave this server running with nobody to stop it, holding its port and data folder. Once npm
 * is gone, it shuts down as on SIGTERM.
 */
function exitWithNpm(shutdown: (why: string, exitCode: 0 | 1) => void): void {
  watchStarter((starter) => shutdown(`npm (process ${starter}), which started it, is gone`, 0));
}

/**
 * Heroku sends SIGTERM, then SIGKILL 30 s later. Drain: /health answers 503 so the router stops
 * sending traffic; HttpDrain takes in the connections already waiting, stops the listener, and
 * lets each connection go as it becomes free (answers carry `Connection: close`). Only when the last one has gone does Nest close
 * the rest (the worker threads, the database pool): what was in flight is finished first. Exit
 * 0 on a signal, 1 when the process failed. Out of time, requests still waiting get a 503 they
 * may retry. Nest's own shutdown hooks re-raise the signal instead, which exits non-zero.
 */
function exitGracefully(app: NestExpressApplication, drain: HttpDrain, timeoutMs: number) {
  const logger = new Logger('Shutdown');
  let closing = false;
  return (why: string, exitCode: 0 | 1): void => {
    if (closing) return;
    closing = true;
    const started = performance.now();
    const message = `${why}: finishing the requests in flight, then exiting`;
    if (exitCode === 0) logger.log(message);
    else logger.error(message);
    app.get(AppLifecycle).startDraining();
    let late = false;
    const deadline = setTimeout(() => {
      late = true;
      const refused = drain.refuseUnanswered(RESTART_RETRY_AFTER_S);
      logger.error(
        `requests still in flight after ${timeoutMs} ms (${refused} answered 503): exiting anyway`,
      );
      // Long enough for those answers to leave.
      setTimeout(() => process.exit(1), 200);
    }, timeoutMs);
    deadline.unref();
    drain
      .close()
      .then(() => app.close())
      .then(
        () => {
          const ms = Math.round(performance.now() - started);
          if (late) logger.error(`closed in ${ms} ms, past the deadline`);
          else logger.log(`closed cleanly in ${ms} ms`);
          process.exit(late ? 1 : exitCode);
        },
        (err: unknown) => {
          logger.error(`shutdown failed: ${(err as Error).message}`, (err as Error).stack);
          process.exit(1);
        },
      );
  };
}

/** A restarted dyno is back within seconds. */
const RESTART_RETRY_AFTER_S = 5;

const root = createBootLogger(process.env);
// Whatever ends the process ends it as one log line, not as Node's text on stderr.
process.on('uncaughtException', (err) => {
  root.fatal({ err }, `uncaught exception: ${err.message}`);
  process.exit(1);
});
bootstrap(root).catch((err: unknown) => {
  // A problem the operator fixes (a variable, a folder, a port): say what it is, no stack trace.
  if (err instanceof StartupError) root.fatal(err.message);
  else root.fatal({ err }, `could not start: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
});
