import { HttpException, type HttpExceptionOptions } from '@nestjs/common';

/**
 * An answer operators must hear about: the exception filter logs `logMessage` as a warning with
 * the request id (the one in X-Request-Id), so a user's report can be matched to what happened.
 */
export class LoggedHttpException extends HttpException {
  constructor(
    response: Record<string, unknown>,
    status: number,
    readonly logMessage: string,
    options?: HttpExceptionOptions,
  ) {
    super(response, status, options);
  }
}

/** A 503 the client may retry after `retryAfterS` seconds: the server is busy, not broken. */
export class RetryLaterException extends HttpException {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message, 503);
  }
}
