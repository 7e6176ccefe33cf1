import {
  BadRequestException,
  HttpException,
  Injectable,
  PayloadTooLargeException,
  RequestTimeoutException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { RetryLaterException } from '../common/logged-http-exception';
import { AppConfig } from '../config/app-config';

const DECODERS: Record<string, (() => Transform) | null> = {
  identity: null,
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** Seconds a client refused for the budget is asked to wait: bodies in flight take seconds. */
const BUDGET_RETRY_AFTER_S = 5;

/**
 * Reads post bodies into memory, within a budget of bytes held at once across every request
 * (MAX_BUFFERED_BODY_BYTES): 50 clients each sending most of an 8 MiB body and stopping once took
 * the process past its 512 MB dyno. Past the budget a post is refused with a 503 before any more
 * of it is held; a body that stops arriving for BODY_IDLE_TIMEOUT_MS is answered 408. Either way
 * what was read is dropped at once, and the connection closes once the client stops sending.
 */
@Injectable()
export class BodyReader {
  /** Bytes held, or promised, by bodies being read now. */
  private held = 0;

  constructor(private readonly config: AppConfig) {}

  /** Bytes held by bodies being read now (for tests and logs). */
  get heldBytes(): number {
    return this.held;
  }

  /** The whole body of `req`, decoded from its Content-Encoding. */
  read(req: Request, res: Response): Promise<Buffer> {
    const { maxBodyBytes } = this.config.limits;
    const { maxBufferedBytes, idleTimeoutMs } = this.config.bodyReading;
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (!(encoding in DECODERS)) {
      return this.refuse(
        req,
        res,
        new HttpException(
          `Unsupported Content-Encoding: unsupported content encoding ${JSON.stringify(encoding)}`,
          415,
        ),
      );
    }
    const decoder = DECODERS[encoding];
    const length = req.headers['content-length'] ? Number(req.headers['content-length']) : null;
    if (decoder === null && length !== null && length > maxBodyBytes) {
      return this.refuse(req, res, tooLarge(maxBodyBytes));
    }
    // What the body will hold is promised up front where it is known: the declared length, or,
    // compressed, the most it may inflate to. A body of unknown length is counted as it comes.
    const promised = decoder ? maxBodyBytes : (length ?? 0);
    if (!this.take(promised, maxBufferedBytes)) {
      return this.refuse(req, res, busy(maxBufferedBytes));
    }
    let charged = promised;

    return new Promise<Buffer>((resolve, reject) => {
      let chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const inflate = decoder?.();
      const source = inflate ? req.pipe(inflate) : req;
      const finish = (err: HttpException | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        this.held -= charged;
        charged = 0;
        req.off('data', progress);
        source.off('data', collect);
        source.off('end', end);
        source.off('error', broken);
        req.off('aborted', aborted);
        req.off('close', closed);
        const whole = err ? null : Buffer.concat(chunks, size);
        chunks = [];
        if (err) {
          if (inflate) {
            req.unpipe(inflate);
            inflate.destroy();
          }
          stop(req, res, idleTimeoutMs);
          reject(err);
        } else resolve(whole!);
      };
      const timeout = () =>
        finish(
          new RequestTimeoutException(
            `The request body stopped arriving: nothing for ${idleTimeoutMs} ms (BODY_IDLE_TIMEOUT_MS)`,
          ),
        );
      let idle = setTimeout(timeout, idleTimeoutMs);
      const progress = () => {
        clearTimeout(idle);
        idle = setTimeout(timeout, idleTimeoutMs);
      };
      const collect = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) return finish(tooLarge(maxBodyBytes));
        if (size > charged) {
          if (!this.take(size - charged, maxBufferedBytes)) return finish(busy(maxBufferedBytes));
          charged = size;
        }
        chunks.push(chunk);
      };
      const end = () => {
        if (decoder === null && length !== null && size !== length) {
          finish(new BadRequestException('The request body is shorter than its Content-Length'));
        } else finish(null);
      };
      const broken = (err: Error) =>
        finish(new BadRequestException(`The request body could not be read: ${err.message}`));
      const aborted = () =>
        finish(new BadRequestException('The request body could not be read: request aborted'));
      const closed = () => {
        if (!req.complete) aborted();
      };
      req.on('data', progress);
      source.on('data', collect);
      source.on('end', end);
      source.on('error', broken);
      req.on('aborted', aborted);
      req.on('close', closed);
    });
  }

  /** Counts `bytes` as held, unless that would pass the budget (one body alone always may). */
  private take(bytes: number, budget: number): boolean {
    if (this.held > 0 && this.held + bytes > budget) return false;
    this.held += bytes;
    return true;
  }

  private refuse(req: Request, res: Response, err: HttpException): Promise<never> {
    stop(req, res, this.config.bodyReading.idleTimeoutMs);
    return Promise.reject(err);
  }
}

/** The longest a refused post's connection is read on after its answer (nginx: lingering_time). */
const LINGER_MAX_MS = 30_000;

/**
 * Holds no more of a body that is refused, and closes the connection once the answer is out and
 * the client has stopped sending (see lingerAfterAnswer).
 */
function stop(req: Request, res: Response, idleMs: number): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
  lingerAfterAnswer(req, idleMs);
}

/**
 * Python's http.client (the installed client, through requests) sends a whole body before it
 * reads a byte of the answer. Closing the socket while that body is still arriving makes the
 * kernel reset the connection, which throws the answer away: the learner saw a
 * ConnectionResetError, not the 413 or 503 saying why. So, like nginx's lingering close, the
 * rest of the body is read and dropped (nothing is held), the answer is followed by a FIN, and
 * the socket is destroyed when the body ends, after `idleMs` without a byte, or at LINGER_MAX_MS.
 */
function lingerAfterAnswer(req: Request, idleMs: number): void {
  if (req.complete) return;
  const socket = req.socket;
  req.on('data', dropped);
  req.resume();
  // Node's server ends a `Connection: close` exchange with destroySoon() once the answer is
  // written; this socket's is replaced so that only the writing side closes then.
  socket.destroySoon = function lingeringClose(this: typeof socket) {
    const close = () => {
      clearTimeout(idle);
      clearTimeout(longest);
      this.destroy();
    };
    const idle = setTimeout(close, idleMs);
    const longest = setTimeout(close, LINGER_MAX_MS);
    req.on('data', () => idle.refresh());
    req.once('end', close);
    this.once('close', close);
    this.end();
  };
}

/**
 * Bytes of refused bodies read and dropped since the last young-generation collection. Each
 * chunk is a buffer of its own that is garbage at once, but V8 collects them only when its
 * estimate of outside memory has grown by tens of megabytes: refusing 40 bodies of 8 MiB left
 * ~170 MB of such garbage at the peak. With `--expose-gc` (the Procfile's web command) a cheap
 * minor collection every DROPPED_GC_BYTES keeps it to a few megabytes.
 */
let droppedSinceGc = 0;
const DROPPED_GC_BYTES = 8 * 1024 * 1024;
const collect = (globalThis as { gc?: (options: object) => void }).gc;

function dropped(chunk: Buffer): void {
  droppedSinceGc += chunk.length;
  if (droppedSinceGc < DROPPED_GC_BYTES || !collect) return;
  droppedSinceGc = 0;
  collect({ type: 'minor' });
}

function tooLarge(limit: number): HttpException {
  return new PayloadTooLargeException(
    `The request body is larger than the limit of ${limit} bytes (MAX_BODY_BYTES)`,
  );
}

function busy(budget: number): HttpException {
  return new RetryLaterException(
    `The server is reading as many post bodies as it can hold (${budget} bytes, ` +
      'MAX_BUFFERED_BODY_BYTES); please try again in a few seconds',
    BUDGET_RETRY_AFTER_S,
  );
}
