import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import { PinoNestLogger, requestLogging, ROOT_LOGGER } from './common/logging';
import { AppConfig } from './config/app-config';

/** Everything about the HTTP app that main.ts and the tests must share. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  // Heroku's router is one proxy hop: trust exactly that many for protocol, host and client IP.
  app.set('trust proxy', config.trustProxyHops);
  app.disable('x-powered-by');
  const logger = app.get<Logger>(ROOT_LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  app.use(requestLogging(logger, config.requestLog));
  app.enableShutdownHooks();
  return app;
}

/** Body parsing is ours (see JsonBodyMiddleware): Nest's would ignore bodies without a Content-Type. */
export const NEST_APP_OPTIONS = { bodyParser: false, bufferLogs: true } as const;
