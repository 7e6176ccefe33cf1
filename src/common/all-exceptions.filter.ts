import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { DISK_FULL_MESSAGE, StorageMonitor } from '../database/storage-monitor';
import { isDatabaseUnavailable, isDiskFull, isSchemaBehind } from './database-errors';
import { AppLifecycle } from './lifecycle';
import { LoggedHttpException, RetryLaterException } from './logged-http-exception';

interface ErrorBody {
  statusCode: number;
  error?: unknown;
  message?: string;
  [key: string]: unknown;
}

/** Errors with a page of their own, which says what it means for a person. */
const OWN_PAGES: Record<number, { view: string; title: string }> = {
  404: { view: 'errors/404', title: 'Not found' },
  410: { view: 'errors/410', title: 'Taken down' },
};

/** A database that cannot be reached is usually back within seconds (a restart, a failover). */
const DATABASE_RETRY_AFTER_S = 5;

/** A release phase applies its migrations in seconds. */
const SCHEMA_RETRY_AFTER_S = 10;

/**
 * The one place errors become answers: HttpExceptions pass through, an unreachable database
 * or a schema not yet migrated becomes a 503 the client may retry, a full disk or a process that is stopping a 503 without
 * Retry-After (neither is over in a few seconds), anything else is logged with its stack and
 * answered with a plain 500 that leaks nothing.
 *
 * In JSON, as the API and the platform's endpoints answer; the page controllers use
 * PageExceptionsFilter, which answers the same as an HTML page. A request no route took (an
 * unknown path) gets a page, unless it asks for JSON before HTML.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  constructor(
    private readonly storage: StorageMonitor,
    private readonly lifecycle: AppLifecycle,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const { body, retryAfterS } = this.toAnswer(exception, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (retryAfterS !== undefined) res.setHeader('Retry-After', String(retryAfterS));
    res.setHeader('Cache-Control', 'no-store');
    if (!this.answersWithPage(req)) {
      res.status(body.statusCode).json(body);
      return;
    }
    // People get a page; what the error said is shown on it, escaped by the template.
    const own = OWN_PAGES[body.statusCode];
    const view = own?.view ?? 'errors/error';
    const model = {
      title: own?.title ?? `Error ${body.statusCode}`,
      statusCode: body.statusCode,
      message: own ? undefined : body.message,
      noindex: true,
    };
    res.status(body.statusCode).render(view, model, (err: Error | null, html?: string) => {
      if (err) {
        this.logger.error(`rendering ${view}: ${err.message}`, err.stack);
        res.type('text/plain').send(`Error ${body.statusCode}`);
      } else {
        res.type('html').send(html);
      }
    });
  }

  protected answersWithPage(req: Request): boolean {
    // `req.route` is set once a route took the request: then its controller's filter decides.
    return req.route === undefined && req.accepts(['html', 'json']) === 'html';
  }

  private toAnswer(exception: unknown, req: Request): { body: ErrorBody; retryAfterS?: number } {
    if (exception instanceof LoggedHttpException) {
      this.logger.warn(`${requestLabel(req)}: ${exception.logMessage}`);
    }
    if (exception instanceof HttpException) {
      const retryAfterS =
        exception instanceof RetryLaterException ? exception.retryAfterS : undefined;
      return { body: httpExceptionBody(exception), retryAfterS };
    }
    const what = requestLabel(req);
    const message = (exception as Error)?.message ?? String(exception);
    if (isDiskFull(exception)) {
      this.storage.recordDiskFull();
      this.logger.error(`${what}: the database's disk is full: ${message}`);
      return { body: unavailable(DISK_FULL_MESSAGE) };
    }
    // The process is going (its embedded database failed, it lost its data folder): say why.
    const failure = this.lifecycle.failure;
    if (failure !== undefined) {
      this.logger.warn(`${what}: ${message} (${failure})`);
      return { body: unavailable(failure) };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`${what}: database unavailable: ${message}`);
      return {
        body: unavailable('The database is unavailable; please try again shortly'),
        retryAfterS: DATABASE_RETRY_AFTER_S,
      };
    }
    if (isSchemaBehind(exception)) {
      this.logger.error(
        `${what}: the database schema is behind the code (${message}): migrations are pending; ` +
          'run `npm run migration:run` (on Heroku the release phase runs it)',
      );
      return {
        body: unavailable('The database is being upgraded; please try again shortly'),
        retryAfterS: SCHEMA_RETRY_AFTER_S,
      };
    }
    this.logger.error(`${what}: ${message}`, (exception as Error)?.stack);
    return {
      body: {
        statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
        error: 'Internal Server Error',
        message: 'Internal server error',
      },
    };
  }
}

/** `POST /post (request <id>)`: the id is the one answered in X-Request-Id (see logging.ts). */
function requestLabel(req: Request): string {
  const id = (req as Request & { id?: string }).id;
  return `${req.method} ${req.path}${id ? ` (request ${id})` : ''}`;
}

function httpExceptionBody(exception: HttpException): ErrorBody {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'object' && response !== null) {
    // Already shaped by whoever threw it (our exceptions, terminus' health report).
    return { statusCode: status, ...(response as Omit<ErrorBody, 'statusCode'>) };
  }
  // The reason phrase, as Nest's own exceptions give it: a class name means nothing to a client.
  const error = STATUS_CODES[status] ?? 'Error';
  return { statusCode: status, error, message: String(response) };
}

function unavailable(message: string): ErrorBody {
  return { statusCode: HttpStatus.SERVICE_UNAVAILABLE, error: 'Service Unavailable', message };
}

/** For the page controllers (`@UseFilters`): the same answers, as HTML error pages. */
@Catch()
export class PageExceptionsFilter extends AllExceptionsFilter {
  protected override answersWithPage(): boolean {
    return true;
  }
}
