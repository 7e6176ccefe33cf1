import { Injectable, Logger } from '@nestjs/common';
import { basename, resolve } from 'node:path';
import { DatabaseError } from 'pg';
import { AppConfig } from '../config/app-config';
import type { Visibility } from '../grid-storage/grid-data';
import { GridIds } from '../grid-storage/grid-ids';
import { gridPagePath } from '../common/public-origin';
import { ContentChecksum } from './content-checksum';
import { ImportProgress, NO_PROGRESS } from './import-progress';
import {
  Differences,
  emptyTableReport,
  exitCodeOf,
  ImportReport,
  MAX_LISTED_IDS,
  PostedInRange,
  RejectedRow,
  TableReport,
  Verification,
} from './import-report';
import {
  decodeLegacyRow,
  LEGACY_TABLES,
  LegacyGrid,
  Quirk,
  RawLegacyRow,
  rawRowForReport,
} from './legacy-grid';
import {
  BatchMode,
  LegacyGridWriter,
  LegacyImportSession,
} from '../grid-storage/legacy-grid.writer';
import { IdRange, LegacyFileError, LegacySqliteReader } from './legacy-sqlite.reader';
import { RejectsFile, RejectsFileError } from './rejects-file';

export interface ImportOptions {
  file: string;
  dryRun?: boolean;
  /** Rows per transaction. */
  batchSize?: number;
  only?: Visibility;
  /** Where rejected rows go; by default `<file name>.rejects.jsonl` in the working directory. */
  rejectsFile?: string;
  overwrite?: boolean;
  /** Move grids posted through the site at ids the file needs to fresh ids, instead of refusing. */
  renumberPosted?: boolean;
  /** Id ranges imported side by side, each on its own connection (a server only). */
  jobs?: number;
  progress?: ImportProgress;
  /** Aborting stops the run after the batches in flight, which commit: nothing is cut off. */
  signal?: AbortSignal;
}

export class ImportInterrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

export const DEFAULT_BATCH_SIZE = 1000;
// Postgres parsing jsonb is the bottleneck, and it is single-threaded per connection.
export const DEFAULT_JOBS = 2;
// A batch also ends at this much JSON text, so a run of huge ImageGrids stays one sane transaction.
const MAX_BATCH_CHARS = 16 * 1024 * 1024;
const VERIFY_PAGE_ROWS = 2000;

/** What one batch read from the file; merged into the table's report once the batch commits. */
class BatchTally {
  read = 0;
  rejected = 0;
  chars = 0;
  readonly quirks: Partial<Record<Quirk, number>> = {};
  readonly rejects: RejectedRow[] = [];
  readonly invalidUtf8Ids: number[] = [];

  mergeInto(report: TableReport): void {
    report.read += this.read;
    report.rejected += this.rejected;
    for (const [quirk, n] of Object.entries(this.quirks) as [Quirk, number][]) {
      report.quirks[quirk] = (report.quirks[quirk] ?? 0) + n;
    }
    listUpTo(report.rejects, this.rejects);
    report.invalidUtf8Ids.push(...this.invalidUtf8Ids);
  }
}

/** What the steps of one run share. */
interface ImportRun {
  reader: LegacySqliteReader;
  /** One per job; a job reads one id range and writes it on its own connection. */
  sessions: LegacyImportSession[];
  mode: BatchMode;
  batchSize: number;
  rejects: RejectsFile;
  progress: ImportProgress;
  done: number;
  /** Set when a job fails or the run is aborted, so the jobs stop after their current batch. */
  stopped: boolean;
}

/**
 * Moves the legacy SQLite grids into Postgres, keeping every id. Never throws for bad input or a
 * failing database: everything ends up in the report, whose exit code says how it went.
 */
@Injectable()
export class LegacyImportService {
  private readonly logger = new Logger(LegacyImportService.name);

  constructor(
    private readonly repository: LegacyGridWriter,
    private readonly config: AppConfig,
    private readonly gridIds: GridIds,
  ) {}

  async run(options: ImportOptions): Promise<ImportReport> {
    const started = performance.now();
    const visibilities: Visibility[] = options.only ? [options.only] : ['public', 'secret'];
    const progress = options.progress ?? NO_PROGRESS;
    const rejects = new RejectsFile(
      resolve(options.rejectsFile ?? `${basename(options.file)}.rejects.jsonl`),
    );
    const mode: BatchMode = { dryRun: !!options.dryRun, overwrite: !!options.overwrite };
    let refused: PostedInRange[] | undefined;
    // The embedded database serves one connection.
    const jobs = this.config.database.kind === 'server' ? (options.jobs ?? DEFAULT_JOBS) : 1;
    const tables = visibilities.map((v) => emptyTableReport(LEGACY_TABLES[v]));
    let importSeconds = 0;
    let error: string | undefined;
    let reader: LegacySqliteReader | undefined;
    const sessions: LegacyImportSession[] = [];
    try {
      // Found out now rather than at the first bad row, halfway through.
      rejects.checkWritable();
      reader = LegacySqliteReader.open(options.file, visibilities);
      for (let i = 0; i < jobs; i++) sessions.push(await this.repository.openSession());
      refused = await this.reserveIds(sessions[0], reader, visibilities, tables, options);
      if (!refused) {
        const run: ImportRun = {
          reader,
          sessions,
          mode,
          batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
          rejects,
          progress,
          done: 0,
          stopped: false,
        };
        const checksums = await this.importTables(run, visibilities, tables, options.signal);
        importSeconds = (performance.now() - started) / 1000;
        if (!mode.dryRun) await this.verifyTables(run, visibilities, tables, checksums);
      }
    } catch (err) {
      error = this.describe(err);
      importSeconds ||= (performance.now() - started) / 1000;
    } finally {
      progress.stop();
      rejects.close();
      reader?.close();
      for (const session of sessions) await session.close().catch(() => undefined);
    }
    for (const t of tables) {
      for (const ids of [t.conflictIds, t.overwrittenIds, t.invalidUtf8Ids]) {
        ids.sort((a, b) => a - b);
      }
      t.rejects.sort((a, b) => Number(a.id) - Number(b.id));
    }
    const read = tables.reduce((n, t) => n + t.read, 0);
    const report = {
      file: options.file,
      target: this.target(),
      dryRun: mode.dryRun,
      tables,
      rejectsFile: rejects.lines > 0 ? rejects.path : null,
      importSeconds,
      rowsPerSecond: importSeconds > 0 ? Math.round(read / importSeconds) : 0,
      totalSeconds: (performance.now() - started) / 1000,
      refused,
      error,
    };
    return { ...report, exitCode: exitCodeOf(report) };
  }

  /**
   * Reserves the file's ids before the first row is written (see `reserveIds`); records the
   * posted grids moved out of the way. Returns the posted grids in the way when it refuses.
   */
  private async reserveIds(
    session: LegacyImportSession,
    reader: LegacySqliteReader,
    visibilities: Visibility[],
    tables: TableReport[],
    options: ImportOptions,
  ): Promise<PostedInRange[] | undefined> {
    const maxIds = Object.fromEntries(visibilities.map((v) => [v, reader.maxId(v)]));
    const reservation = await session.reserveIds(maxIds, {
      dryRun: !!options.dryRun,
      renumberPosted: !!options.renumberPosted,
    });
    if (reservation.outcome === 'posted-in-range') {
      return visibilities.flatMap((v) => {
        const ids = reservation.posted[v];
        return ids ? [{ table: LEGACY_TABLES[v], ids }] : [];
      });
    }
    if (reservation.outcome === 'reserved') {
      for (const [i, v] of visibilities.entries()) {
        tables[i].renumbered = (reservation.moved[v] ?? []).map(({ from, to }) => ({
          from,
          to,
          path: gridPagePath(v, this.gridIds.encode(v, to)),
        }));
      }
    }
    return undefined;
  }

  private async importTables(
    run: ImportRun,
    visibilities: Visibility[],
    tables: TableReport[],
    signal: AbortSignal | undefined,
  ): Promise<ContentChecksum[]> {
    signal?.addEventListener('abort', () => (run.stopped = true), { once: true });
    run.progress.start(
      'import',
      visibilities.reduce((n, v) => n + run.reader.count(v), 0),
    );
    const checksums: ContentChecksum[] = [];
    for (const [i, visibility] of visibilities.entries()) {
      checksums.push(await this.importTable(run, visibility, tables[i]));
      if (signal?.aborted) throw new ImportInterrupted();
    }
    run.progress.stop();
    return checksums;
  }

  private async verifyTables(
    run: ImportRun,
    visibilities: Visibility[],
    tables: TableReport[],
    checksums: ContentChecksum[],
  ): Promise<void> {
    run.progress.start(
      'verify',
      checksums.reduce((n, c) => n + c.rows, 0),
    );
    run.done = 0;
    for (const [i, visibility] of visibilities.entries()) {
      tables[i].verification = await this.verify(run, visibility, checksums[i]);
    }
    run.progress.stop();
  }

  /** Imports one table, its id ranges side by side; returns the checksum of the rows read. */
  private async importTable(
    run: ImportRun,
    visibility: Visibility,
    report: TableReport,
  ): Promise<ContentChecksum> {
    const checksum = new ContentChecksum();
    const ranges = run.reader.split(visibility, run.sessions.length);
    await allJobs(
      run,
      ranges.map(
        (range, i) => () =>
          this.importRange(run, run.sessions[i], visibility, range, report, checksum),
      ),
    );
    return checksum;
  }

  private async importRange(
    run: ImportRun,
    session: LegacyImportSession,
    visibility: Visibility,
    range: IdRange,
    report: TableReport,
    checksum: ContentChecksum,
  ): Promise<void> {
    const source = run.reader.rows(visibility, range);
    const cursor = { exhausted: false };
    try {
      while (!cursor.exhausted && !run.stopped) {
        const tally = new BatchTally();
        const batch = takeBatch(run, visibility, source, cursor, tally, checksum);
        const outcome = await session.insertLegacyBatch(visibility, batch, run.mode);
        tally.mergeInto(report);
        report.imported += outcome.imported;
        report.present += outcome.present;
        report.overwritten += outcome.overwritten.length;
        report.conflicts += outcome.conflicts.length;
        listUpTo(report.overwrittenIds, outcome.overwritten);
        listUpTo(report.conflictIds, outcome.conflicts);
        run.done += tally.read;
        run.progress.update(run.done);
      }
    } finally {
      // Closes the range's connection to the file when a failure cut the loop short.
      source.return(undefined);
    }
  }

  private async verify(
    run: ImportRun,
    visibility: Visibility,
    file: ContentChecksum,
  ): Promise<Verification> {
    const database = new ContentChecksum();
    const ranges = run.reader.split(visibility, run.sessions.length);
    await allJobs(
      run,
      ranges.map((range, i) => async () => {
        const rows = databaseHashes(run.sessions[i], visibility, range, file.maxId);
        for await (const row of rows) {
          database.add(row.id, row.hash);
          if (++run.done % VERIFY_PAGE_ROWS === 0) run.progress.update(run.done);
        }
      }),
    );
    run.progress.update(run.done);
    const fileChecksum = file.digest();
    const databaseChecksum = database.digest();
    const ok = file.rows === database.rows && fileChecksum === databaseChecksum;
    return {
      ok,
      fileRows: file.rows,
      fileChecksum,
      databaseRows: database.rows,
      databaseChecksum,
      differences: ok
        ? { differs: [], missing: [], extra: [] }
        : await findDifferences(run, visibility, file.maxId),
    };
  }

  private target(): string {
    const db = this.config.database;
    if (db.kind === 'embedded') return `the embedded database in ${db.dataDir}`;
    // Never print the password.
    const url = new URL(db.url);
    return `Postgres at ${url.host}${url.pathname}`;
  }

  private describe(err: unknown): string {
    const expected = [LegacyFileError, RejectsFileError, ImportInterrupted];
    if (expected.some((kind) => err instanceof kind)) return (err as Error).message;
    if (err instanceof DatabaseError) return `database error: ${err.message}`;
    const message = err instanceof Error ? err.message : String(err);
    // A system error (a refused connection, a full disk) is the operator's to fix, not a bug.
    if (typeof (err as { code?: unknown })?.code === 'string') return message;
    this.logger.error(message, err instanceof Error ? err.stack : undefined);
    return message;
  }
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

/**
 * The next batch's rows, decoded as the writer pulls them (so reading the file and writing to the
 * database overlap). Rejected rows go to the rejects file on the way.
 */
function* takeBatch(
  run: ImportRun,
  visibility: Visibility,
  source: Iterator<RawLegacyRow>,
  cursor: { exhausted: boolean },
  tally: BatchTally,
  checksum: ContentChecksum,
): Generator<LegacyGrid> {
  const table = LEGACY_TABLES[visibility];
  for (let taken = 0; taken < run.batchSize && tally.chars < MAX_BATCH_CHARS;) {
    const next = source.next();
    if (next.done) {
      cursor.exhausted = true;
      return;
    }
    tally.read++;
    const decoded = decodeLegacyRow(visibility, next.value);
    if (!decoded.ok) {
      const row = rawRowForReport(next.value);
      run.rejects.write({ table, id: row.id, reason: decoded.reason, row });
      tally.rejected++;
      listUpTo(tally.rejects, [{ id: String(row.id), reason: decoded.reason }]);
      continue;
    }
    const { id } = decoded.grid;
    if (
      decoded.replacedColumns.length > 0 &&
      run.reader.hasInvalidUtf8(visibility, id, decoded.replacedColumns)
    ) {
      // Kept as replaced: U+FFFD is what the old site served for those bytes.
      decoded.quirks.push('invalid_utf8_replaced');
      tally.invalidUtf8Ids.push(id);
    }
    for (const quirk of decoded.quirks) tally.quirks[quirk] = (tally.quirks[quirk] ?? 0) + 1;
    taken++;
    tally.chars += decoded.grid.gridData.length;
    checksum.add(decoded.grid.id, decoded.grid.rowHash);
    yield decoded.grid;
  }
}

/** Stored rows' hashes in a range, up to `maxId`, in id order, a page at a time. */
async function* databaseHashes(
  session: LegacyImportSession,
  visibility: Visibility,
  range: IdRange,
  maxId: number,
): AsyncGenerator<{ id: number; hash: string }> {
  const upTo = range.upTo === undefined ? maxId : Math.min(maxId, Number(range.upTo));
  for (let after = Math.max(0, Number(range.after ?? 0)); after < upTo;) {
    const page = await session.rowHashes(visibility, after, upTo, VERIFY_PAGE_ROWS);
    yield* page;
    if (page.length < VERIFY_PAGE_ROWS) return;
    after = page[page.length - 1].id;
  }
}

/**
 * A second pass over the file, merged by id with the database, naming every row that differs
 * (ids only, so even every row of a large file fits in memory).
 */
async function findDifferences(
  run: ImportRun,
  visibility: Visibility,
  maxId: number,
): Promise<Differences> {
  const found: Differences = { differs: [], missing: [], extra: [] };
  const fileRows = (function* () {
    for (const raw of run.reader.rows(visibility)) {
      const decoded = decodeLegacyRow(visibility, raw);
      if (decoded.ok) yield { id: decoded.grid.id, hash: decoded.grid.rowHash };
    }
  })();
  try {
    let fileRow = fileRows.next();
    for await (const dbRow of databaseHashes(run.sessions[0], visibility, {}, maxId)) {
      while (!fileRow.done && fileRow.value.id < dbRow.id) {
        found.missing.push(fileRow.value.id);
        fileRow = fileRows.next();
      }
      if (!fileRow.done && fileRow.value.id === dbRow.id) {
        if (fileRow.value.hash !== dbRow.hash) found.differs.push(dbRow.id);
        fileRow = fileRows.next();
      } else {
        found.extra.push(dbRow.id);
      }
    }
    for (; !fileRow.done; fileRow = fileRows.next()) found.missing.push(fileRow.value.id);
  } finally {
    fileRows.return(undefined);
  }
  return found;
}

function listUpTo<T>(list: T[], items: T[]): void {
  list.push(...items.slice(0, Math.max(0, MAX_LISTED_IDS - list.length)));
}
