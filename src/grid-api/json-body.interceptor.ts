import {
  BadRequestException,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { AppConfig } from '../config/app-config';
import { BodyReader } from './body-reader';
import { CheckedGridPost, InvalidGridPostException } from './grid-post.pipe';
import { WorkerPool, workerTaskFile } from '../common/worker-pool';
import { inexactNumberMessage, inexactNumbers } from '../common/exact-json-numbers';
import type { CheckedPost, GridPostTask } from './grid-post.task';

const CHECK_POST = workerTaskFile(__dirname, 'grid-post.task');

export const MAX_JSON_DEPTH = 16;
/**
 * Bodies over this are parsed and checked on the grid worker thread: JSON.parse of a photo's
 * megabytes takes 10-20 ms a megabyte, too long to hold up every other request.
 */
export const OFF_THREAD_BODY_BYTES = 256 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a POST body as JSON whatever its Content-Type: the installed ipythonblocks client sends
 * none. Malformed input gets a 4xx naming the problem before any validation runs. An
 * interceptor of the route (not a middleware), so that what goes wrong here is answered as the
 * API answers, in JSON.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  constructor(
    private readonly config: AppConfig,
    private readonly workers: WorkerPool,
    private readonly bodies: BodyReader,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const body = await this.bodies.read(req, http.getResponse<Response>());
    req.body =
      body.length > OFF_THREAD_BODY_BYTES ? await this.checkOffThread(body) : parseJsonBody(body);
    return next.handle();
  }

  private async checkOffThread(body: Buffer): Promise<CheckedGridPost> {
    // The worker takes the bytes over rather than a copy (a copy first, were they a slice of a
    // bigger buffer).
    const whole = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const bytes = whole ? body : new Uint8Array(body);
    const task: GridPostTask = { body: bytes, limits: this.config.limits };
    const checked = await this.workers.run<CheckedPost>(CHECK_POST, task, body.length, [
      bytes.buffer as ArrayBuffer,
    ]);
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
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new BadRequestException(`The request body is not valid JSON: ${(err as Error).message}`);
  }
  // JSON.parse would have changed these: refused, by field, rather than stored otherwise.
  const inexact = inexactNumbers(text);
  if (inexact.length > 0) {
    throw new InvalidGridPostException(
      inexact.map((n) => ({ field: n.field, message: inexactNumberMessage(n) })),
    );
  }
  return value;
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
