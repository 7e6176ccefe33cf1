import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AnswerBody, ImmutableAnswer } from './immutable-answer';
import { AppConfig } from '../config/app-config';
import type { Visibility } from '../grid-storage/grid-data';

/**
 * Answers made at once, at most. Making one holds a grid's text, its rendered bytes and their
 * compressed forms (a big grid's page is megabytes of each): past this, makers wait their turn
 * rather than add up in memory.
 */
const MAX_MAKING = 4;

/** Where every answer made of one grid is kept: `kind` is what it is (page, png, ...). */
export function gridAnswerKey(visibility: Visibility, id: number, kind: string): string {
  return `${gridKeyPrefix(visibility, id)}${kind}`;
}

const gridKeyPrefix = (visibility: Visibility, id: number) => `grid:${visibility}:${id}:`;

/** A kept answer, and the version of what it was made from (see `get`). */
interface Kept {
  answer: ImmutableAnswer;
  version: string;
}

/**
 * A posted grid never changes, so what is derived from it (its JSON, its page, its picture) is
 * kept in memory and served without a database round trip. Bounded by the bytes the answers
 * really hold, per process: a cache, not state; every process fills its own from Postgres.
 */
@Injectable()
export class AnswerCache {
  private readonly cache?: LRUCache<string, Kept>;
  private readonly making = new Map<string, Promise<ImmutableAnswer | null>>();
  private makers = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(config: AppConfig) {
    if (config.gridCacheBytes > 0) {
      this.cache = new LRUCache<string, Kept>({
        maxSize: config.gridCacheBytes,
        sizeCalculation: (kept) => kept.answer.size,
        // One answer bigger than an eighth of the cache would evict most of it: serve it uncached.
        maxEntrySize: Math.max(1, Math.floor(config.gridCacheBytes / 8)),
      });
    }
  }

  /** How many answers are kept now. */
  get size(): number {
    return this.cache?.size ?? 0;
  }

  /**
   * The answer kept under `key`, or the one made from what `make` gives (null: there is none).
   * A null key: made for this request alone, never kept. `version` names what else than the
   * grid the answer is made from (a page's list of remixes): an answer kept with another version
   * is made again and replaces it, so a key holds one answer, the latest.
   */
  async get(
    key: string | null,
    make: () => Promise<AnswerBody | null>,
    version = '',
  ): Promise<ImmutableAnswer | null> {
    if (key === null || !this.cache) return this.make(make, false);
    const hit = this.cache.get(key);
    if (hit?.version === version) return hit.answer;
    // Concurrent first requests for one grid (a link just shared) make it once.
    const making = `${key}\n${version}`;
    let pending = this.making.get(making);
    if (!pending) {
      pending = this.make(make, true).finally(() => this.making.delete(making));
      this.making.set(making, pending);
    }
    const made = await pending;
    if (made) this.cache.set(key, { answer: made, version });
    return made;
  }

  /**
   * Forgets every answer made of one grid (it was hidden). A scan of the keys: hides are rare,
   * and the cache holds thousands of answers at most.
   */
  dropGrid(visibility: Visibility, id: number): void {
    if (!this.cache) return;
    const prefix = gridKeyPrefix(visibility, id);
    for (const key of [...this.cache.keys()]) {
      if (key.startsWith(prefix)) this.cache.delete(key);
    }
  }

  private async make(
    make: () => Promise<AnswerBody | null>,
    keep: boolean,
  ): Promise<ImmutableAnswer | null> {
    if (this.makers >= MAX_MAKING) await new Promise<void>((go) => this.waiting.push(go));
    this.makers++;
    try {
      const body = await make();
      return body && (await ImmutableAnswer.create(body, keep));
    } finally {
      this.makers--;
      this.waiting.shift()?.();
    }
  }
}
