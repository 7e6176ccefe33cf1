import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  type EntityManager,
  type ObjectLiteral,
  type SelectQueryBuilder,
} from 'typeorm';
import type { Visibility } from './grid-data';
import { GRID_ENTITIES } from './grid.entity';
import { HiddenGrid } from './hidden-grid.entity';

/**
 * The Postgres channel every web process listens on (HiddenGridSet): a hide or unhide is
 * announced in the transaction that records it, so it is heard exactly when it is committed.
 */
export const MODERATION_CHANNEL = 'grid_moderation';

/** What a notification on MODERATION_CHANNEL says. */
export interface ModerationEvent {
  visibility: Visibility;
  id: number;
  hidden: boolean;
}

/** A hidden grid, as recorded. */
export interface HiddenRecord {
  visibility: Visibility;
  id: number;
  hiddenAt: Date;
  reason: string;
}

export type HideOutcome =
  | { outcome: 'hidden'; record: HiddenRecord }
  /** It was hidden already: the first time is kept, the reason is the new one. */
  | { outcome: 'already-hidden'; record: HiddenRecord; previousReason: string }
  | { outcome: 'no-such-grid' };

function recordOf(row: HiddenGrid): HiddenRecord {
  return { visibility: row.visibility, id: row.gridId, hiddenAt: row.hiddenAt, reason: row.reason };
}

/**
 * `NOT EXISTS` a hide of the `visibility` grid whose id is `${alias}.id`: for the lists that must
 * never show a hidden grid (random, recent).
 */
export function whereNotHidden(visibility: Visibility, alias: string) {
  return <T extends ObjectLiteral>(qb: SelectQueryBuilder<T>): string =>
    `NOT EXISTS ${qb
      .subQuery()
      .select('1')
      .from(HiddenGrid, 'h')
      .where(`h.visibility = '${visibility}'`)
      .andWhere(`h.gridId = ${alias}.id`)
      .getQuery()}`;
}

/** The record of hidden grids: hide, unhide, look up, list. */
@Injectable()
export class HiddenGridsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Hides a grid that exists (recording when and why) and tells every web process. */
  hide(visibility: Visibility, id: number, reason: string): Promise<HideOutcome> {
    return this.dataSource.transaction(async (m): Promise<HideOutcome> => {
      const exists = await m.getRepository(GRID_ENTITIES[visibility]).exists({ where: { id } });
      if (!exists) return { outcome: 'no-such-grid' };
      const hides = m.getRepository(HiddenGrid);
      const inserted = await m
        .createQueryBuilder()
        .insert()
        .into(HiddenGrid)
        .values({ visibility, gridId: id, reason })
        .orIgnore()
        .returning('*')
        .execute();
      let result: HideOutcome;
      const [row] = inserted.raw as { hidden_at: Date }[];
      if (row) {
        result = { outcome: 'hidden', record: { visibility, id, hiddenAt: row.hidden_at, reason } };
      } else {
        const before = await hides.findOneOrFail({
          where: { visibility, gridId: id },
          lock: { mode: 'pessimistic_write' },
        });
        await hides.update({ visibility, gridId: id }, { reason });
        const record = { ...recordOf(before), reason };
        result = { outcome: 'already-hidden', record, previousReason: before.reason };
      }
      await this.announce(m, { visibility, id, hidden: true });
      return result;
    });
  }

  /** Serves the grid again; the record it had, or null when it was not hidden. */
  unhide(visibility: Visibility, id: number): Promise<HiddenRecord | null> {
    return this.dataSource.transaction(async (m) => {
      const deleted = await m
        .createQueryBuilder()
        .delete()
        .from(HiddenGrid)
        .where({ visibility, gridId: id })
        .returning('*')
        .execute();
      const [row] = deleted.raw as { hidden_at: Date; reason: string }[];
      if (!row) return null;
      await this.announce(m, { visibility, id, hidden: false });
      return { visibility, id, hiddenAt: row.hidden_at, reason: row.reason };
    });
  }

  async find(visibility: Visibility, id: number): Promise<HiddenRecord | null> {
    const row = await this.dataSource
      .getRepository(HiddenGrid)
      .findOneBy({ visibility, gridId: id });
    return row && recordOf(row);
  }

  /** Every hidden grid, the most recently hidden first. */
  async list(): Promise<HiddenRecord[]> {
    const rows = await this.dataSource
      .getRepository(HiddenGrid)
      .find({ order: { hiddenAt: 'DESC', visibility: 'ASC', gridId: 'ASC' } });
    return rows.map(recordOf);
  }

  /** Every hidden grid's table and id, nothing more: what each web process keeps in memory. */
  async listIds(manager: EntityManager = this.dataSource.manager): Promise<ModerationEvent[]> {
    const rows = await manager
      .getRepository(HiddenGrid)
      .find({ select: { visibility: true, gridId: true } });
    return rows.map((r) => ({ visibility: r.visibility, id: r.gridId, hidden: true }));
  }

  /**
   * A notification that says nothing of any grid, sent through the pool: a listening process
   * checks with it that what the channel carries reaches it (HiddenGridSet).
   */
  async announceProbe(nonce: string): Promise<void> {
    await this.dataSource.query('SELECT pg_notify($1, $2)', [
      MODERATION_CHANNEL,
      JSON.stringify({ probe: nonce }),
    ]);
  }

  /** Delivered to every listener when the transaction commits, never if it rolls back. */
  private async announce(manager: EntityManager, event: ModerationEvent): Promise<void> {
    await manager.query('SELECT pg_notify($1, $2)', [MODERATION_CHANNEL, JSON.stringify(event)]);
  }
}
