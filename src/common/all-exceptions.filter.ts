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
import { isDatabaseUnavailable } from './database-errors';
import { LoggedHttpException } from './logged-http-exception';

/** The client's API and the platform's endpoints answer in JSON; everything else is a page. */
export function isApiPath(path: string): boolean {
  return /^\/(post|get|health|api)(\/|$)/.test(path);
}

interface ErrorBody {
  statusCode: number;
  error?: unknown;
  message?: string;
  [key: string]: unknown;
}

/**
 * The one place errors become answers: HttpExceptions pass through, an unreachable database
 * becomes a 503 the client may retry, anything else is logged with its stack and answered
 * with a plain 500 that leaks nothing.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const body = this.toBody(exception, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (body.statusCode === 503) res.setHeader('Retry-After', '5');
    res.setHeader('Cache-Control', 'no-store');
    if (isApiPath(req.path)) {
      res.status(body.statusCode).json(body);
      return;
    }
    // People get a page; what the error said is shown on it, escaped by the template.
    const view = body.statusCode === 404 ? 'errors/404' : 'errors/error';
    const model = {
      title: body.statusCode === 404 ? 'Not found' : `Error ${body.statusCode}`,
      statusCode: body.statusCode,
      message: body.statusCode === 404 ? undefined : body.message,
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

  private toBody(exception: unknown, req: Request): ErrorBody {
    if (exception instanceof LoggedHttpException) {
      this.logger.warn(`${requestLabel(req)}: ${exception.logMessage}`);
    }
    if (exception instanceof HttpException) {
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
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(
        `${requestLabel(req)}: database unavailable: ${(exception as Error).message}`,
      );
      return {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        message: 'The database is unavailable; please try again shortly',
      };
    }
    this.logger.error(
      `${requestLabel(req)}: ${(exception as Error)?.message ?? String(exception)}`,
      (exception as Error)?.stack,
    );
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'Internal Server Error',
      message: 'Internal server error',
    };
  }
}

/** `POST /post (request <id>)`: the id is the one answered in X-Request-Id (see logging.ts). */
function requestLabel(req: Request): string {
  const id = (req as Request & { id?: string }).id;
  return `${req.method} ${req.path}${id ? ` (request ${id})` : ''}`;
}
