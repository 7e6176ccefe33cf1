import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/app-config';

/**
 * A posted grid never changes, so what is derived from it (its JSON, its rendered page) can be
 * kept in memory and served without a database round trip. Bounded by bytes, per process: it is
 * a cache, not state, and every process fills its own from Postgres.
 */
@Injectable()
export class GridCache {
  private readonly cache?: LRUCache<string, CachedAnswer>;

  constructor(config: AppConfig) {
    if (config.gridCacheBytes > 0) {
      this.cache = new LRUCache<string, CachedAnswer>({
        maxSize: config.gridCacheBytes,
        // Strings are UTF-16 in memory: two bytes a character is the honest size.
        sizeCalculation: (answer) => answer.body.length * 2 + 64,
        // One answer larger than an eighth of the cache would evict most of it: serve it uncached.
        maxEntrySize: Math.max(1, Math.floor(config.gridCacheBytes / 8)),
      });
    }
  }

  /** The cached answer under `key`, or the one `make` builds (null: nothing to cache). */
  async get(key: string, make: () => Promise<CachedAnswer | null>): Promise<CachedAnswer | null> {
    const hit = this.cache?.get(key);
    if (hit) return hit;
    const made = await make();
    if (made && this.cache) this.cache.set(key, made);
    return made;
  }
}

export interface CachedAnswer {
  body: string;
  /** A strong ETag of `body`, computed once when it was made. */
  etag: string;
}
