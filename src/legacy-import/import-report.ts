import type { Quirk } from './legacy-quirks';

/**
 * How many conflicting, overwritten or rejected ids a report lists per table (the rejects file
 * has every rejected row); verification differences are all listed.
 */
export const MAX_LISTED_IDS = 100;

export interface RejectedRow {
  id: string;
  reason: string;
}

/** How a row can differ between the file and the database. */
export const DIFFERENCES = {
  differs: 'differs from the file',
  missing: 'missing from the database',
  extra: 'in the database only',
} as const;

/** Every differing id, ascending, by how it differs. */
export type Differences = Record<keyof typeof DIFFERENCES, number[]>;

/** The file's rows against the database's, by count and by a checksum of every row's content. */
export interface Verification {
  ok: boolean;
  fileRows: number;
  fileChecksum: string;
  databaseRows: number;
  databaseChecksum: string;
  /** Every differing row, found by a second pass when the checksums disagree. */
  differences: Differences;
}

/** A grid posted through the site, moved to a fresh id so the file's row can have its id. */
export interface RenumberedGrid {
  from: number;
  to: number;
  /** Its page's new path (`/<hashid>` or `/secret/<hashid>`). */
  path: string;
}

/** Grids posted through the site at ids the file needs: the import refuses to run. */
export interface PostedInRange {
  table: string;
  ids: number[];
}

export interface TableReport {
  table: string;
  read: number;
  imported: number;
  present: number;
  overwritten: number;
  conflicts: number;
  rejected: number;
  quirks: Partial<Record<Quirk, number>>;
  rejects: RejectedRow[];
  conflictIds: number[];
  overwrittenIds: number[];
  /** Every row whose invalid UTF-8 was replaced by U+FFFD (quirk `invalid_utf8_replaced`). */
  invalidUtf8Ids: number[];
  renumbered: RenumberedGrid[];
  /**
   * The file's rows whose code cells remix a grid that exists (and is not hidden): how many record
   * it after this run, and how many of those this run linked. Not on a dry run.
   */
  remixes?: { recorded: number; linked: number };
  verification?: Verification;
}

export interface ImportReport {
  file: string;
  target: string;
  dryRun: boolean;
  tables: TableReport[];
  /** Set when at least one row was rejected. */
  rejectsFile: string | null;
  importSeconds: number;
  rowsPerSecond: number;
  totalSeconds: number;
  /** Set when posted grids hold ids the file needs; nothing was written. */
  refused?: PostedInRange[];
  /** Why the run stopped early; the counts say how far it got. */
  error?: string;
  /** 0: everything is in the database; 1: finished, but some rows need a look; 2: stopped. */
  exitCode: 0 | 1 | 2;
}

export function emptyTableReport(table: string): TableReport {
  return {
    table,
    read: 0,
    imported: 0,
    present: 0,
    overwritten: 0,
    conflicts: 0,
    rejected: 0,
    quirks: {},
    rejects: [],
    conflictIds: [],
    overwrittenIds: [],
    invalidUtf8Ids: [],
    renumbered: [],
  };
}

export function exitCodeOf(report: Omit<ImportReport, 'exitCode'>): 0 | 1 | 2 {
  if (report.error !== undefined || report.refused !== undefined) return 2;
  const attention = report.tables.some(
    (t) => t.rejected > 0 || t.conflicts > 0 || (t.verification && !t.verification.ok),
  );
  return attention ? 1 : 0;
}

/** Appends items to a report's list of ids or rows, up to MAX_LISTED_IDS. */
export function listUpTo<T>(list: T[], items: T[]): void {
  list.push(...items.slice(0, Math.max(0, MAX_LISTED_IDS - list.length)));
}
