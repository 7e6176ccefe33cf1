import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { ImmutableAnswer } from '../common/immutable-answer';
import { AppConfig } from '../config/app-config';

/**
 * A posted grid never changes, so what is derived from it (its JSON, its page, its picture) is
 * kept in memory and served without a database round trip. Bounded by bytes, per process: a
 * cache, not state; every process fills its own from Postgres.
 */
@Injectable()
export class GridCache {
  private readonly cache?: LRUCache<string, ImmutableAnswer>;
  private readonly making = new Map<string, Promise<ImmutableAnswer | null>>();

  constructor(config: AppConfig) {
    if (config.gridCacheBytes > 0) {
      this.cache = new LRUCache<string, ImmutableAnswer>({
        maxSize: config.gridCacheBytes,
        sizeCalculation: (answer) => Math.ceil(answer.size),
        // One answer bigger than an eighth of the cache would evict most of it: serve it uncached.
        maxEntrySize: Math.max(1, Math.floor(config.gridCacheBytes / 8)),
      });
    }
  }

  /** How many answers are kept now. */
  get size(): number {
    return this.cache?.size ?? 0;
  }

  /** The cached answer under `key`, or the one `make` builds (null: there is none). */
  async get(
    key: string,
    make: () => Promise<ImmutableAnswer | null>,
  ): Promise<ImmutableAnswer | null> {
    const hit = this.cache?.get(key);
    if (hit) return hit;
    // Concurrent first requests for one grid (a link just shared) make it once.
    let pending = this.making.get(key);
    if (!pending) {
      pending = make().finally(() => this.making.delete(key));
      this.making.set(key, pending);
    }
    const made = await pending;
    if (made && this.cache) this.cache.set(key, made);
    return made;
  }
}
