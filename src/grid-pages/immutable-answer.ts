import type { Request, Response } from 'express';
import { webcrypto } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, createGunzip, gunzip, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Below this, compressing costs more than it saves. */
const MIN_COMPRESS_BYTES = 1024;
/**
 * Past this, a kept answer holds its compressed forms only: a grid's page or JSON is mostly
 * repeated markup and numbers, 5-30 times smaller compressed, and browsers and the Python client
 * always ask for that. The rare client that does not gets the gzip form inflated on the way out.
 */
const KEEP_IDENTITY_MAX_BYTES = 16 * 1024;
/** What a pipeline into a response fails with when the client closed the connection. */
const CLIENT_GONE = new Set<unknown>(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE']);
/** Keys, headers and bookkeeping of one answer, beside its bytes. */
const OVERHEAD_BYTES = 512;

/** What an answer is made from. */
export interface AnswerBody {
  body: Buffer;
  contentType: string;
  /** false for bodies compressed already (PNG). */
  compressible?: boolean;
  /**
   * A strong ETag made by whoever knows what the body is made of (a page: its template and the
   * digests of its parts); by default a SHA-1 of the body.
   */
  etag?: string;
}

type Encoding = 'br' | 'gzip';

/**
 * An answer that never changes (a grid's JSON, its page, its picture): made once, compressed
 * once per encoding when it is made, then served from memory with a strong ETag. Its `size` is
 * the memory it really holds, so a cache bounded by it is bounded in fact.
 */
export class ImmutableAnswer {
  private constructor(
    readonly etag: string,
    readonly contentType: string,
    /** Length of the uncompressed body. */
    readonly length: number,
    private readonly identity: Buffer | null,
    private readonly gzip: Buffer | null,
    private readonly br: Buffer | null,
    /** Compressed on demand (an answer served once), rather than held compressed. */
    private readonly compressOnDemand: boolean,
  ) {}

  /**
   * `keep`: the answer will be kept and served many times, so both compressed forms are made now
   * (and a big body is kept compressed only); otherwise each request compresses what it asks for.
   */
  static async create(made: AnswerBody, keep: boolean): Promise<ImmutableAnswer> {
    const { body, contentType } = made;
    // Web Crypto digests on libuv's thread pool: a 5 MB body is 10 ms of SHA-1 off this thread.
    const etag =
      made.etag ??
      `"${Buffer.from(await webcrypto.subtle.digest('SHA-1', body)).toString('base64url')}"`;
    const compressible = made.compressible !== false && body.length >= MIN_COMPRESS_BYTES;
    if (!compressible || !keep) {
      return new ImmutableAnswer(etag, contentType, body.length, body, null, null, compressible);
    }
    const [gz, br] = await Promise.all([compress(body, 'gzip'), compress(body, 'br')]);
    const identity = body.length <= KEEP_IDENTITY_MAX_BYTES ? body : null;
    return new ImmutableAnswer(etag, contentType, body.length, identity, gz, br, false);
  }

  /** Bytes this answer holds in memory. */
  get size(): number {
    const held = (this.identity?.length ?? 0) + (this.gzip?.length ?? 0) + (this.br?.length ?? 0);
    return held + OVERHEAD_BYTES;
  }

  /** The uncompressed body (inflated, when it is kept compressed only). */
  async bytes(): Promise<Buffer> {
    return this.identity ?? gunzipAsync(this.gzip!);
  }

  /** Answers `req` with this, honouring If-None-Match and Accept-Encoding. */
  async send(req: Request, res: Response, cacheControl: string): Promise<void> {
    const compressible = this.compressOnDemand || this.gzip !== null;
    res.status(200);
    res.setHeader('Content-Type', this.contentType);
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('ETag', this.etag);
    if (compressible) res.setHeader('Vary', 'Accept-Encoding');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    const accepted = compressible ? req.acceptsEncodings('br', 'gzip', 'identity') : 'identity';
    const encoding = accepted === 'br' || accepted === 'gzip' ? accepted : null;
    let body = encoding ? this.held(encoding) : this.identity;
    if (encoding && !body && this.compressOnDemand && this.identity) {
      body = await compress(this.identity, encoding);
    }
    if (encoding) res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', body?.length ?? this.length);
    if (req.method === 'HEAD') {
      res.end();
    } else if (body) {
      res.end(body);
    } else {
      // Kept compressed only, asked for uncompressed: inflated on the way out.
      const inflate = createGunzip();
      inflate.end(this.gzip);
      await pipeline(inflate, res).catch((err: unknown) => {
        // The client hung up, maybe once it had every byte (its close can arrive before this
        // side sees its last write done): not an error here, and the request line says which.
        if (!CLIENT_GONE.has((err as { code?: unknown })?.code)) throw err;
      });
    }
  }

  private held(encoding: Encoding): Buffer | null {
    return encoding === 'br' ? this.br : this.gzip;
  }
}

/**
 * On libuv's thread pool. Brotli at quality 5: most of its gain at a small part of its cost
 * (11 takes seconds on megabytes).
 */
function compress(body: Buffer, encoding: Encoding): Promise<Buffer> {
  return encoding === 'br'
    ? brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
    : gzipAsync(body, { level: 6 });
}

/**
 * Cache-Control of a grid's data, picture and code. They never change, but the operator can take
 * a grid down (`grid hide`), so caches outside the app keep them for an hour, not for ever: a
 * hidden grid may be seen for up to an hour after a browser or a CDN last fetched it, and a cache
 * that serves stale answers while it revalidates serves one more, within a minute after that
 * (then it gets the 410). Past the hour, a browser revalidates with its ETag: a 304 the app
 * answers from memory, no database.
 */
export const GRID_CACHE_CONTROL = 'public, max-age=3600, s-maxage=3600, stale-while-revalidate=60';
