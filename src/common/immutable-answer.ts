import type { Request, Response } from 'express';
import { webcrypto } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, createGunzip, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Below this, compressing costs more than it saves. */
const MIN_COMPRESS_BYTES = 1024;
/**
 * Past this, only the compressed forms are kept: a big grid's page or JSON is mostly repeated
 * markup and numbers, 10-30 times smaller compressed, and nearly every client asks for that.
 * The rare one that does not gets the gzip form inflated on the fly.
 */
const KEEP_IDENTITY_MAX_BYTES = 1024 * 1024;
/** Keys, headers and bookkeeping of one answer, beside its bytes. */
const OVERHEAD_BYTES = 512;

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
  ) {}

  /** `compressible: false` for bodies compressed already (PNG). */
  static async create(
    body: Buffer,
    contentType: string,
    compressible = true,
  ): Promise<ImmutableAnswer> {
    // Web Crypto digests on libuv's thread pool: a 5 MB page is 10 ms of SHA-1 off this thread.
    const digest = await webcrypto.subtle.digest('SHA-1', body);
    const etag = `"${Buffer.from(digest).toString('base64url')}"`;
    if (!compressible || body.length < MIN_COMPRESS_BYTES) {
      return new ImmutableAnswer(etag, contentType, body.length, body, null, null);
    }
    // On libuv's thread pool. Brotli at quality 5: most of its gain at a small part of its cost
    // (11 takes seconds on megabytes).
    const [gz, br] = await Promise.all([
      gzipAsync(body, { level: 6 }),
      brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
    ]);
    const identity = body.length <= KEEP_IDENTITY_MAX_BYTES ? body : null;
    return new ImmutableAnswer(etag, contentType, body.length, identity, gz, br);
  }

  static text(text: string, contentType: string): Promise<ImmutableAnswer> {
    return ImmutableAnswer.create(Buffer.from(text, 'utf8'), contentType);
  }

  /** Bytes this answer holds in memory. */
  get size(): number {
    const held = (this.identity?.length ?? 0) + (this.gzip?.length ?? 0) + (this.br?.length ?? 0);
    return held + OVERHEAD_BYTES;
  }

  /** Answers `req` with this, honouring If-None-Match and Accept-Encoding. */
  async send(req: Request, res: Response, cacheControl: string): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', this.contentType);
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('ETag', this.etag);
    if (this.gzip) res.setHeader('Vary', 'Accept-Encoding');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    const encoding = this.gzip ? req.acceptsEncodings('br', 'gzip', 'identity') : 'identity';
    const encoded = encoding === 'br' ? this.br : encoding === 'gzip' ? this.gzip : null;
    if (encoded) res.setHeader('Content-Encoding', encoding as string);
    const body = encoded ?? this.identity;
    res.setHeader('Content-Length', body?.length ?? this.length);
    if (req.method === 'HEAD') {
      res.end();
    } else if (body) {
      res.end(body);
    } else {
      const inflate = createGunzip();
      inflate.end(this.gzip);
      await pipeline(inflate, res);
    }
  }
}

/** Cache-Control of answers that never change: browsers and CDNs may keep them for a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
