import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AssetManifest,
  CLIENT_DIST_DIR,
  ENCODING_SUFFIX,
  type ManifestFile,
  MANIFEST_FILE,
  PLAYGROUND_STATIC_PREFIX,
  type StoredEncoding,
} from './asset-manifest';

/** Every file's URL carries a hash of what it holds (or sits in a directory named by one). */
const IMMUTABLE = { maxAge: '365d', immutable: true } as const;

/** Marks an answer the app's compression middleware must leave alone (see configureApp). */
export const PRECOMPRESSED = 'precompressed';

/**
 * The playground's built files (dist/client/, see build-assets.ts), served as the manifest
 * lists them: each in the form the request accepts, brotli first, then gzip, else as it is,
 * never compressed again on the way out. A URL the manifest does not list is a 404: the map
 * is the only way from a URL to a file.
 */
@Injectable()
export class PlaygroundAssets {
  private readonly logger = new Logger(PlaygroundAssets.name);
  private loaded = false;
  private manifest: AssetManifest | null = null;
  private readonly files = new Map<string, ManifestFile>();

  /** The build's manifest, or null when the build did not make one (`nest build` alone). */
  scripts(): AssetManifest | null {
    if (!this.loaded) this.load();
    return this.manifest;
  }

  send(url: string, req: Request, res: Response): void {
    if (!this.loaded) this.load();
    const file = this.files.get(url);
    if (!file) throw new NotFoundException(`No playground file ${url}`);
    const encoding = preferredEncoding(req, file.encodings);
    if (file.encodings.length > 0) res.setHeader('Vary', 'Accept-Encoding');
    if (encoding) res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Type', file.contentType);
    res.locals[PRECOMPRESSED] = true;
    const path = join(CLIENT_DIST_DIR, file.path) + (encoding ? ENCODING_SUFFIX[encoding] : '');
    res.sendFile(path, IMMUTABLE, (err) => {
      if (err && !res.headersSent) res.status(404).end();
    });
  }

  private load(): void {
    this.loaded = true;
    if (!existsSync(MANIFEST_FILE)) {
      this.logger.warn(`${MANIFEST_FILE} is missing: the playground needs npm run build`);
      return;
    }
    this.manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as AssetManifest;
    for (const file of this.manifest.files) {
      this.files.set(`${PLAYGROUND_STATIC_PREFIX}${file.path}`, file);
    }
  }
}

/**
 * brotli when the request accepts it, else gzip, else none. Not Express's acceptsEncodings,
 * which follows the header's order and so gives Chrome's `gzip, deflate, br` the bigger gzip.
 */
export function preferredEncoding(
  req: Request,
  stored: StoredEncoding[],
): StoredEncoding | undefined {
  const accepted = acceptedEncodings(req.headers['accept-encoding']);
  return (['br', 'gzip'] as const).find((e) => stored.includes(e) && accepted(e));
}

function acceptedEncodings(header: string | string[] | undefined): (name: string) => boolean {
  const q = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  return (name) => (q.get(name) ?? q.get('*') ?? 0) > 0;
}
