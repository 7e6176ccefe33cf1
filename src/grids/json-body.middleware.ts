import {
  BadRequestException,
  HttpException,
  HttpStatus,
  Injectable,
  NestMiddleware,
  PayloadTooLargeException,
} from '@nestjs/common';
import { raw } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppConfig } from '../config/app-config';

export const MAX_JSON_DEPTH = 16;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a POST body as JSON whatever its Content-Type: the installed ipythonblocks client sends
 * none. Malformed input gets a 4xx naming the problem before any validation runs.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly readRaw: RequestHandler;

  constructor(private readonly config: AppConfig) {
    this.readRaw = raw({ type: () => true, limit: config.limits.maxBodyBytes });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    this.readRaw(req, res, (err?: unknown) => {
      if (err) return next(toHttpError(err, this.config.limits.maxBodyBytes));
      try {
        req.body = parseJsonBody(req.body as unknown);
        next();
      } catch (parseErr) {
        next(parseErr);
      }
    });
  }
}

export function parseJsonBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new BadRequestException('The request body is empty: expected a JSON object');
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new BadRequestException('The request body is not valid UTF-8');
  }
  // Checked before parsing so that nothing downstream ever recurses through hostile nesting.
  const depth = maxNestingDepth(body);
  if (depth > MAX_JSON_DEPTH) {
    throw new BadRequestException(
      `The request body nests JSON deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new BadRequestException(`The request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Deepest array/object nesting in JSON bytes, skipping string contents. */
function maxNestingDepth(bytes: Buffer): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

function toHttpError(err: unknown, limit: number): HttpException {
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.too.large') {
    return new PayloadTooLargeException(
      `The request body is larger than the limit of ${limit} bytes (MAX_BODY_BYTES)`,
    );
  }
  if (e.type === 'encoding.unsupported') {
    return new HttpException(
      `Unsupported Content-Encoding: ${e.message ?? ''}`,
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    );
  }
  const status = e.status && e.status >= 400 && e.status < 500 ? e.status : HttpStatus.BAD_REQUEST;
  return new HttpException(
    `The request body could not be read: ${e.message ?? 'unknown error'}`,
    status,
  );
}
