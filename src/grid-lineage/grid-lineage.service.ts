import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { isDatabaseUnavailable } from '../common/database-errors';
import { AppConfig } from '../config/app-config';
import type { Visibility } from '../grid-storage/grid-data';
import { GridIds } from '../grid-storage/grid-ids';
import {
  type GridKey,
  type GridLineageRows,
  type GridSummary,
  GridsRepository,
} from '../grid-storage/grids.repository';
import { HiddenGridSet } from '../grid-storage/hidden-grid-set';

/** Remixes a grid page lists; the rest are a link away (`/<id>/remixes`). */
export const REMIXES_ON_PAGE = 20;
/** Remixes on each page of `/<id>/remixes`. */
export const REMIXES_PER_PAGE = 24;

/**
 * How often a web process reads again the lineage of the grids viewed since it last did: all of
 * them in one statement (a few, for thousands), so a remix stored by another process is on its
 * parent's page within this. The process that stored it shows it at once (`remixAdded`).
 */
export const LINEAGE_FRESH_MS = 1000;
/**
 * A page is shown with lineage at most this old; older (a grid nobody looked at for a while),
 * the view reads it first. Past LINEAGE_FRESH_MS, so a grid viewed all the time never waits.
 */
export const LINEAGE_MAX_AGE_MS = 1500;
/** How long a view waits for lineage past LINEAGE_MAX_AGE_MS before showing the one it has. */
const STALE_WAIT_MS = 250;
/** How long shutting down waits for a refresh in flight. */
const SHUTDOWN_WAIT_MS = 1000;
/** Grids whose lineage each process keeps (a few hundred bytes each). */
const MEMO_ENTRIES = 10_000;
/** Grids per statement of a refresh. */
const REFRESH_CHUNK = 500;

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
 * but its lineage is not fixed: it is read when a grid is first viewed, then again every
 * LINEAGE_FRESH_MS for the grids viewed meanwhile, in one statement for all of them, and the page
 * is made again when it changed. No view waits for the database while its grid's lineage is
 * fresh, and a view of a grid already read waits at most STALE_WAIT_MS (a database away or slow:
 * the lineage is shown as last read). The rules of what a page may show live here: a secret grid
 * is never named on another grid's page (neither as a parent nor as a remix), a hidden grid is
 * neither named nor linked, and a hidden parent leaves its remixes' pages as they are, without it.
 *
 * On the embedded database this process is the only writer (the import and `grid hide` need it
 * stopped), so what it read stays true until it stores a remix itself: nothing is read again.
 */
@Injectable()
export class GridLineage implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(GridLineage.name);
  private readonly memo = new LRUCache<string, Read>({ max: MEMO_ENTRIES });
  private readonly reading = new Map<string, Promise<Read>>();
  /** Grids viewed since the last refresh. */
  private viewed = new Set<string>();
  private readonly onlyWriter: boolean;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  /** The last refresh found the database away: views show what was read, however old. */
  private databaseAway = false;

  constructor(
    private readonly grids: GridsRepository,
    private readonly ids: GridIds,
    private readonly hidden: HiddenGridSet,
    config: AppConfig,
  ) {
    this.onlyWriter = config.database.kind !== 'server';
  }

  onModuleInit(): void {
    if (this.onlyWriter) return;
    this.timer = setInterval(() => {
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    }, LINEAGE_FRESH_MS);
    this.timer.unref();
  }

  /**
   * A refresh in flight finishes before the database closes, unless the database does not answer
   * it: then it fails with the pool, and nothing is lost (it reads what is stored).
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)));
    await Promise.race([this.refreshing, bound]);
    clearTimeout(timer);
  }

  /** What the page of grid `id` shows of its lineage, at most LINEAGE_MAX_AGE_MS old. */
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

  private async read(visibility: Visibility, id: number): Promise<Read> {
    const key = keyOf(visibility, id);
    const kept = this.memo.get(key);
    this.viewed.add(key);
    if (
      kept &&
      (this.onlyWriter || this.databaseAway || Date.now() - kept.at <= LINEAGE_MAX_AGE_MS)
    ) {
      return kept;
    }
    // Views of one grid in the same moment read it once.
    let pending = this.reading.get(key);
    if (!pending) {
      pending = this.readNow(visibility, [id])
        .then((reads) => {
          const read = reads.get(id)!;
          this.memo.set(key, read);
          return read;
        })
        .finally(() => this.reading.delete(key));
      // Awaited by whoever waits for it, if anyone: a view may have gone on without it.
      pending.catch(() => undefined);
      this.reading.set(key, pending);
    }
    if (!kept) return pending;
    // A database slow to answer does not hold up a page this process can show: with the lineage
    // it read last, and the next view has what the read brings.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), STALE_WAIT_MS);
    });
    try {
      return (await Promise.race([pending, late])) ?? kept;
    } catch (err) {
      if (isDatabaseUnavailable(err)) return kept;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads again the lineage of the grids viewed since the last time, a few statements for all. */
  private async refresh(): Promise<void> {
    const viewed = this.viewed;
    this.viewed = new Set();
    const byVisibility: Record<Visibility, number[]> = { public: [], secret: [] };
    for (const key of viewed) {
      // One forgotten meanwhile is read when next viewed.
      if (!this.memo.has(key)) continue;
      const [visibility, id] = key.split(':') as [Visibility, string];
      byVisibility[visibility].push(Number(id));
    }
    try {
      for (const visibility of ['public', 'secret'] as const) {
        const ids = byVisibility[visibility];
        for (let from = 0; from < ids.length; from += REFRESH_CHUNK) {
          const reads = await this.readNow(visibility, ids.slice(from, from + REFRESH_CHUNK));
          for (const [id, read] of reads) this.memo.set(keyOf(visibility, id), read);
        }
      }
      if (this.databaseAway) this.logger.log('Lineage read again: the database is back');
      this.databaseAway = false;
    } catch (err) {
      // Read again at the next refresh: the grids are still the ones being looked at.
      for (const key of viewed) this.viewed.add(key);
      if (!isDatabaseUnavailable(err)) {
        // On a timer: nobody else would hear of it. Views read for themselves meanwhile.
        this.logger.error(`Could not read remix lineage: ${(err as Error).stack ?? String(err)}`);
        return;
      }
      if (!this.databaseAway) {
        this.logger.warn(
          `Could not read remix lineage (${(err as Error).message}): pages show what was read last`,
        );
      }
      this.databaseAway = true;
    }
  }

  private async readNow(visibility: Visibility, ids: number[]): Promise<Map<number, Read>> {
    const at = Date.now();
    const rows = await this.grids.findLineages(visibility, ids, REMIXES_ON_PAGE + 1);
    return new Map([...rows].map(([id, lineage]) => [id, this.readOf(at, lineage)]));
  }

  private readOf(at: number, rows: GridLineageRows): Read {
    const parent =
      rows.parent?.visibility === 'public'
        ? { ...rows.parent, hashId: this.ids.encode('public', rows.parent.id) }
        : null;
    const remixes = rows.remixes.map((grid) => this.entry(grid));
    return { at, parent, remixes, shown: shownOf(parent, remixes) };
  }

  private entry(grid: GridSummary): RemixEntry {
    return { hashId: this.ids.encode('public', grid.id), grid };
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
