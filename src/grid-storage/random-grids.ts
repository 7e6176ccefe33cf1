import { Injectable } from '@nestjs/common';
import { GridsRepository } from './grids.repository';
import { HiddenGridSet } from './hidden-grid-set';

/** Random ids fetched at once: one query serves this many `/random` answers. */
const BATCH = 32;

/**
 * `/random`'s picks. Each pick took a query of its own, and the query's parse and plan cost
 * Postgres more than answering it; ids are fetched a batch at a time instead, and handed out
 * one by one. A grid hidden after its id was fetched is skipped (the hidden set is current
 * within a second); a grid posted since comes up once the batch is used, 32 picks later.
 */
@Injectable()
export class RandomGrids {
  private batch: number[] = [];
  private refill: Promise<number[]> | undefined;

  constructor(
    private readonly grids: GridsRepository,
    private readonly hidden: HiddenGridSet,
  ) {}

  /** The id of a random public grid that is not hidden, or null when there is none. */
  async publicId(): Promise<number | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let id = this.batch.pop();
      while (id !== undefined && this.hidden.isHidden('public', id)) id = this.batch.pop();
      if (id !== undefined) return id;
      // Requests that find the batch empty together share one query.
      this.refill ??= this.grids.findRandomPublicIds(BATCH).finally(() => {
        this.refill = undefined;
      });
      const fetched = await this.refill;
      if (fetched.length === 0) return null;
      this.batch.push(...fetched);
    }
    return null;
  }
}
