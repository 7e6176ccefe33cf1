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
import { CheckedGridPost, InvalidGridPostException } from './grid-post.pipe';
import { GridWorker } from '../grid-pages/grid-worker.service';

export const MAX_JSON_DEPTH = 16;
/**
 * Bodies over this are parsed and checked on the grid worker thread: JSON.parse of a photo's
 * megabytes takes 10-20 ms a megabyte, too long to hold up every other request.
 */
export const OFF_THREAD_BODY_BYTES = 256 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a POST body as JSON whatever its Content-Type: the installed ipythonblocks client sends
 * none. Malformed input gets a 4xx naming the problem before any validation runs.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly readRaw: RequestHandler;

  constructor(
    private readonly config: AppConfig,
    private readonly worker: GridWorker,
  ) {
    this.readRaw = raw({ type: () => true, limit: config.limits.maxBodyBytes });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    this.readRaw(req, res, (err?: unknown) => {
      if (err) return next(toHttpError(err, this.config.limits.maxBodyBytes));
      const body = req.body as unknown;
      if (Buffer.isBuffer(body) && body.length > OFF_THREAD_BODY_BYTES) {
        this.checkOffThread(body).then((checked) => {
          req.body = checked;
          next();
        }, next);
        return;
      }
      try {
        req.body = parseJsonBody(req.body as unknown);
        next();
      } catch (parseErr) {
        next(parseErr);
      }
    });
  }

  private async checkOffThread(body: Buffer): Promise<CheckedGridPost> {
    const checked = await this.worker.checkPost(body, this.config.limits);
    if ('unreadable' in checked) throw new BadRequestException(checked.unreadable);
    if ('errors' in checked) throw new InvalidGridPostException(checked.errors);
    return new CheckedGridPost(checked.post);
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
