import type { Visibility } from '../grid-storage/grid-data';
import type { BatchMode, LegacyImportSession } from '../grid-storage/legacy-grid.writer';
import type { ImportProgress } from './import-progress';
import type { GridLimits } from '../config/app-config';
import type { RawLegacyRow } from './legacy-grid';
import { decodeLegacyRow, type DecodedRow } from './legacy-row.decoder';
import type { IdRange, LegacySqliteReader } from './legacy-sqlite.reader';
import type { RemixRef } from '../grid-lineage/remix-ref';
import type { RejectsFile } from './rejects-file';

/** The run was aborted (Ctrl-C, SIGTERM): the batches in flight committed, the rest is left. */
export class ImportInterrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/** A row whose code cells remix a grid, to link once every row is in (LineagePass). */
export interface RemixCandidate {
  visibility: Visibility;
  id: number;
  /** The row as the file has it: a stored row with other content is not linked. */
  rowHash: string;
  parent: RemixRef;
}

/** What the passes of one run share. */
export interface ImportRun {
  reader: LegacySqliteReader;
  /** One per job; a job reads one id range and writes it on its own connection. */
  sessions: LegacyImportSession[];
  mode: BatchMode;
  batchSize: number;
  rejects: RejectsFile;
  progress: ImportProgress;
  /** Rows done in the current phase, over all jobs. */
  done: number;
  /** Set when a job fails or the run is aborted, so the jobs stop after their current batch. */
  stopped: boolean;
  /** A post's size limits, which imported rows keep too. */
  limits: Pick<GridLimits, 'maxBodyBytes' | 'maxBlocks'>;
  /** Rows read whose code remixes a grid (a small part of a file: most cells call no from_web). */
  remixes: RemixCandidate[];
}

/** The file's rows of a range, with oversized grid_data left in the file (see decodeRow). */
export function readRows(
  run: ImportRun,
  visibility: Visibility,
  range: IdRange = {},
): Generator<RawLegacyRow> {
  return run.reader.rows(visibility, range, run.limits.maxBodyBytes);
}

/** One row decoded as both passes decode it: repeated ids and the size limits included. */
export function decodeRow(run: ImportRun, visibility: Visibility, raw: RawLegacyRow): DecodedRow {
  return decodeLegacyRow(visibility, raw, {
    repeatedIds: run.reader.repeatedIds(visibility),
    limits: run.limits,
  });
}

/**
 * Splits the table's ids into one range per connection and works on them side by side, each on
 * its own session (see `allJobs`).
 */
export function eachRange(
  run: ImportRun,
  visibility: Visibility,
  work: (range: IdRange, session: LegacyImportSession) => Promise<void>,
): Promise<void> {
  const ranges = run.reader.split(visibility, run.sessions.length);
  return allJobs(
    run,
    ranges.map((range, i) => () => work(range, run.sessions[i])),
  );
}

/**
 * Runs the jobs side by side. When one fails the others finish their current batch and stop,
 * and the first failure is thrown once all have: no job is left writing on a closing connection.
 */
async function allJobs(run: ImportRun, jobs: (() => Promise<void>)[]): Promise<void> {
  const results = await Promise.allSettled(
    jobs.map((job) =>
      job().catch((err: unknown) => {
        run.stopped = true;
        throw err;
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
