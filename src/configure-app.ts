import type { NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { setupApiDocs } from './grid-api/api-docs';
import { PinoNestLogger, requestLogging, ROOT_LOGGER } from './common/logging';
import { securityHeaders } from './common/security-headers';
import { configureViews } from './common/views';
import { AppConfig } from './config/app-config';
import { PRECOMPRESSED } from './playground/playground-assets';

/** Everything about the HTTP app that main.ts and the tests must share. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  // Heroku's router is one proxy hop: trust exactly that many for protocol, host and client IP.
  app.set('trust proxy', config.trustProxyHops);
  app.disable('x-powered-by');
  const logger = app.get<Logger>(ROOT_LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  app.use(requestLogging(logger, config.requestLog));
  app.use(securityHeaders());
  app.use(redirectTrailingSlash);
  // Cached grid answers arrive compressed already; this covers the other pages. The playground's
  // files were compressed at build time and are sent in the form the request chose, identity too.
  app.use(
    compression({
      filter: (req, res) => res.locals[PRECOMPRESSED] !== true && compression.filter(req, res),
    }),
  );
  configureViews(app);
  setupApiDocs(app);
  return app;
}

/** `/bizkiL/` is `/bizkiL`: one URL per page, for people and for caches. */
function redirectTrailingSlash(req: Request, res: Response, next: NextFunction): void {
  const { path } = req;
  if ((req.method === 'GET' || req.method === 'HEAD') && path.length > 1 && path.endsWith('/')) {
    // Swagger UI serves its own folder under /api/docs/.
    if (!path.startsWith('/api/docs/')) {
      const q = req.originalUrl.indexOf('?');
      const query = q === -1 ? '' : req.originalUrl.slice(q);
      // Leading slashes collapse too, so `//evil.example/` cannot become an off-site redirect.
      res.redirect(301, `/${path.replace(/^\/+|\/+$/g, '')}${query}`);
      return;
    }
  }
  next();
}

/** Body parsing is ours (see JsonBodyInterceptor): Nest's would ignore bodies without a Content-Type. */
export const NEST_APP_OPTIONS = { bodyParser: false, bufferLogs: true } as const;
