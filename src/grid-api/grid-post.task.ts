import 'reflect-metadata';
import type { GridLimits } from '../config/app-config';
import { GridPost, GridPostValidationPipe, InvalidGridPostException } from './grid-post.pipe';
import type { FieldError } from './grid-post.rules';
import { parseJsonBody } from './json-body.interceptor';

export interface GridPostTask {
  body: Uint8Array;
  limits: GridLimits;
}

export type CheckedPost =
  | { post: GridPost }
  | { errors: FieldError[] }
  /** The body was not a JSON document at all (empty, not UTF-8, not JSON, too deep). */
  | { unreadable: string };

/**
 * A big post body parsed and validated on a worker thread (see JsonBodyInterceptor): parsing a
 * photo's megabytes of JSON takes 10-20 ms a megabyte, too long to hold up other requests. The
 * validation is the route's own pipe, run here with the app's limits.
 */
export default async function checkGridPostTask(task: GridPostTask): Promise<CheckedPost> {
  let body: unknown;
  try {
    body = parseJsonBody(Buffer.from(task.body.buffer, task.body.byteOffset, task.body.length));
  } catch (err) {
    if (err instanceof InvalidGridPostException) return { errors: err.errors };
    return { unreadable: (err as Error).message };
  }
  try {
    return {
      post: await new GridPostValidationPipe(task.limits).transform(body, { type: 'body' }),
    };
  } catch (err) {
    if (err instanceof InvalidGridPostException) return { errors: err.errors };
    throw err;
  }
}
