import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Below this, compressing costs more than it saves. */
const MIN_COMPRESS_BYTES = 1024;

type Encoding = 'br' | 'gzip';

/**
 * An answer that never changes (a grid's JSON, its page, its picture): made once, then served
 * from memory with a strong ETag, and compressed at most once per encoding rather than on every
 * request.
 */
export class ImmutableAnswer {
  readonly etag: string;
  private readonly encoded = new Map<Encoding, Promise<Buffer>>();

  constructor(
    readonly body: Buffer,
    readonly contentType: string,
    readonly compressible = true,
  ) {
    this.etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  }

  static text(text: string, contentType: string): ImmutableAnswer {
    return new ImmutableAnswer(Buffer.from(text, 'utf8'), contentType);
  }

  /** Bytes this answer may come to hold in memory, with its compressed forms. */
  get size(): number {
    return this.body.length * (this.compressible ? 1.5 : 1) + 256;
  }

  private encode(encoding: Encoding): Promise<Buffer> {
    let done = this.encoded.get(encoding);
    if (!done) {
      // Quality 5: most of brotli's gain at a small part of its cost (11 takes seconds on MBs).
      done =
        encoding === 'br'
          ? brotli(this.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
          : gzipAsync(this.body, { level: 6 });
      this.encoded.set(encoding, done);
    }
    return done;
  }

  /** Answers `req` with this, honouring If-None-Match and Accept-Encoding. */
  async send(req: Request, res: Response, cacheControl: string): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', this.contentType);
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('ETag', this.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    let body = this.body;
    if (this.compressible && body.length >= MIN_COMPRESS_BYTES) {
      const encoding = req.acceptsEncodings('br', 'gzip', 'identity');
      if (encoding === 'br' || encoding === 'gzip') {
        body = await this.encode(encoding);
        res.setHeader('Content-Encoding', encoding);
      }
    }
    res.setHeader('Content-Length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

/** Cache-Control of answers that never change: browsers and CDNs may keep them for a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
