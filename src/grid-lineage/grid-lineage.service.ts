import { Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { isDatabaseUnavailable } from '../common/database-errors';
import type { Visibility } from '../grid-storage/grid-data';
import { GridIds } from '../grid-storage/grid-ids';
import { type GridKey, type GridSummary, GridsRepository } from '../grid-storage/grids.repository';
import { HiddenGridSet } from '../grid-storage/hidden-grid-set';

/** Remixes a grid page lists; the rest are a link away (`/<id>/remixes`). */
export const REMIXES_ON_PAGE = 20;
/** Remixes on each page of `/<id>/remixes`. */
export const REMIXES_PER_PAGE = 24;

/**
 * How old the lineage a page shows may be. Every process reads it again this often (one query
 * per grid per second at most, however many views), so a remix stored by another process is on
 * its parent's page within this; the process that stored it shows it at once (`remixAdded`).
 */
export const LINEAGE_FRESH_MS = 1000;
/** Grids whose lineage each process keeps (a few hundred bytes each). */
const MEMO_ENTRIES = 10_000;

/** A grid as a list of remixes shows it. */
export interface RemixEntry {
  hashId: string;
  grid: GridSummary;
}

/** What a grid's page says of its lineage, only what that page may show. */
export interface PageLineage {
  /** The grid it remixes: public and not hidden, never a secret one. */
  parent: { hashId: string } | null;
  /** Its newest public remixes that are not hidden, newest first, at most REMIXES_ON_PAGE. */
  remixes: RemixEntry[];
  /** Whether there are older ones, for `/<id>/remixes?before=<the last one's hashId>`. */
  more: boolean;
  /** Changes exactly when what the page shows of the above does. */
  version: string;
}

/** A page of `/<id>/remixes`. */
export interface RemixesPage {
  remixes: RemixEntry[];
  /** The hashId to page on from (`?before=`), when there are older remixes. */
  next: string | null;
}

/** The lineage of one grid as read, and when, made into what its page shows. */
interface Read {
  at: number;
  /** Its public parent: a secret one is never shown, so not kept. */
  parent: (GridKey & { hashId: string }) | null;
  /** Up to REMIXES_ON_PAGE + 1, to know whether there are more. */
  remixes: RemixEntry[];
  /** The page's lineage, while nothing in it is known hidden since. */
  shown: PageLineage;
}

/**
 * Which grid a grid remixes and which remix it, as pages show them. A page is kept (AnswerCache)
 * but its lineage is not fixed: it is read at most LINEAGE_FRESH_MS before each view and the page
 * made again when it changed. The rules of what a page may show live here: a secret grid is never
 * named on another grid's page (neither as a parent nor as a remix), a hidden grid is neither
 * named nor linked, and a hidden parent leaves its remixes' pages as they are, without it.
 */
@Injectable()
export class GridLineage {
  private readonly logger = new Logger(GridLineage.name);
  private readonly memo = new LRUCache<string, Read>({ max: MEMO_ENTRIES });
  private readonly reading = new Map<string, Promise<Read>>();

  constructor(
    private readonly grids: GridsRepository,
    private readonly ids: GridIds,
    private readonly hidden: HiddenGridSet,
  ) {}

  /** What the page of grid `id` shows of its lineage, read at most LINEAGE_FRESH_MS ago. */
  async forPage(visibility: Visibility, id: number): Promise<PageLineage> {
    const read = await this.read(visibility, id);
    // The database said what was hidden when it was read; this process may know of hides since.
    const hidden = (grid: GridKey) => this.hidden.isHidden(grid.visibility, grid.id);
    const parentHidden = read.parent !== null && hidden(read.parent);
    const remixHidden = (r: RemixEntry) => hidden({ visibility: 'public', id: r.grid.id });
    if (!parentHidden && !read.remixes.some(remixHidden)) return read.shown;
    return shownOf(
      parentHidden ? null : read.parent,
      read.remixes.filter((r) => !remixHidden(r)),
    );
  }

  /** A page of the grid's public remixes older than the remix `beforeId`, read now. */
  async remixes(visibility: Visibility, id: number, beforeId: number | null): Promise<RemixesPage> {
    const rows = await this.grids.findRemixes({ visibility, id }, beforeId, REMIXES_PER_PAGE + 1);
    const remixes = rows.slice(0, REMIXES_PER_PAGE).map((grid) => this.entry(grid));
    const next = rows.length > REMIXES_PER_PAGE ? remixes[remixes.length - 1].hashId : null;
    return { remixes, next };
  }

  /** This process stored a remix of `parent`: its page lists it from the next view on. */
  remixAdded(parent: GridKey): void {
    this.memo.delete(keyOf(parent.visibility, parent.id));
  }

  private entry(grid: GridSummary): RemixEntry {
    return { hashId: this.ids.encode('public', grid.id), grid };
  }

  private async read(visibility: Visibility, id: number): Promise<Read> {
    const key = keyOf(visibility, id);
    const kept = this.memo.get(key);
    if (kept && Date.now() - kept.at < LINEAGE_FRESH_MS) return kept;
    // Views of one grid in the same moment read it once.
    let pending = this.reading.get(key);
    if (!pending) {
      pending = this.readNow(visibility, id).finally(() => this.reading.delete(key));
      this.reading.set(key, pending);
    }
    try {
      const read = await pending;
      this.memo.set(key, read);
      return read;
    } catch (err) {
      // A page this process has served goes on being served while the database is away, with
      // the lineage it last had; the database being back brings it up to date.
      if (kept && isDatabaseUnavailable(err)) {
        this.logger.debug(`Lineage of ${key} from ${Date.now() - kept.at} ms ago: database away`);
        return kept;
      }
      throw err;
    }
  }

  private async readNow(visibility: Visibility, id: number): Promise<Read> {
    const at = Date.now();
    const rows = await this.grids.findLineage(visibility, id, REMIXES_ON_PAGE + 1);
    const parent =
      rows.parent?.visibility === 'public'
        ? { ...rows.parent, hashId: this.ids.encode('public', rows.parent.id) }
        : null;
    const remixes = rows.remixes.map((grid) => this.entry(grid));
    return { at, parent, remixes, shown: shownOf(parent, remixes) };
  }
}

/** What a page shows of a visible parent and the visible remixes read (REMIXES_ON_PAGE + 1). */
function shownOf(parent: { hashId: string } | null, read: RemixEntry[]): PageLineage {
  const remixes = read.slice(0, REMIXES_ON_PAGE);
  const more = read.length > REMIXES_ON_PAGE;
  return {
    parent: parent && { hashId: parent.hashId },
    remixes,
    more,
    version: JSON.stringify([parent?.hashId ?? null, remixes.map((r) => r.hashId), more]),
  };
}

const keyOf = (visibility: Visibility, id: number) => `${visibility}:${id}`;
