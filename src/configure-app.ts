import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig } from './config/app-config';

/** Everything about the HTTP app that main.ts and the tests must share. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  // Heroku's router is one proxy hop: trust exactly that many for protocol, host and client IP.
  app.set('trust proxy', config.trustProxyHops);
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  return app;
}

/** Body parsing is ours (see JsonBodyMiddleware): Nest's would ignore bodies without a Content-Type. */
export const NEST_APP_OPTIONS = { bodyParser: false } as const;
