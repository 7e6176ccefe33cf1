import { Injectable, Logger } from '@nestjs/common';
import { createHash, Hash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { AppConfig } from '../config/app-config';
import type { Visibility } from '../grids/grid-data';
import { ImportProgress, NO_PROGRESS } from './import-progress';
import {
  Difference,
  emptyTableReport,
  exitCodeOf,
  ImportReport,
  MAX_LISTED_IDS,
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
import { BatchMode, LegacyGridsRepository, LegacyImportSession } from './legacy-grids.repository';
import { LegacyFileError, LegacySqliteReader } from './legacy-sqlite.reader';
import { RejectsFile } from './rejects-file';

export interface ImportOptions {
  file: string;
  dryRun?: boolean;
  /** Rows per transaction. */
  batchSize?: number;
  only?: Visibility;
  /** Where rejected rows go; by default `<file name>.rejects.jsonl` in the working directory. */
  rejectsFile?: string;
  overwrite?: boolean;
  progress?: ImportProgress;
}

export const DEFAULT_BATCH_SIZE = 1000;
// A batch also ends at this much JSON text, so a run of huge ImageGrids cannot fill memory.
const MAX_BATCH_CHARS = 32 * 1024 * 1024;
const VERIFY_PAGE_ROWS = 2000;

/** The file side of a verification, built while the rows go by. */
class ContentChecksum {
  rows = 0;
  lastId = 0;
  private readonly hash: Hash = createHash('md5');

  add(id: number, contentHash: string): void {
    this.hash.update(`${id}:${contentHash}\n`);
    this.rows++;
    this.lastId = id;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** What one batch read from the file; merged into the table's report once the batch commits. */
class BatchTally {
  read = 0;
  rejected = 0;
  chars = 0;
  readonly quirks: Partial<Record<Quirk, number>> = {};
  readonly rejects: RejectedRow[] = [];

  mergeInto(report: TableReport): void {
    report.read += this.read;
    report.rejected += this.rejected;
    for (const [quirk, n] of Object.entries(this.quirks) as [Quirk, number][]) {
      report.quirks[quirk] = (report.quirks[quirk] ?? 0) + n;
    }
    report.rejects.push(...this.rejects.slice(0, MAX_LISTED_IDS - report.rejects.length));
  }
}

/**
 * Moves the legacy SQLite grids into Postgres, keeping every id. Never throws for bad input or a
 * failing database: everything ends up in the report, whose exit code says how it went.
 */
@Injectable()
export class LegacyImportService {
  private readonly logger = new Logger(LegacyImportService.name);

  constructor(
    private readonly repository: LegacyGridsRepository,
    private readonly config: AppConfig,
  ) {}

  async run(options: ImportOptions): Promise<ImportReport> {
    const started = performance.now();
    const visibilities: Visibility[] = options.only ? [options.only] : ['public', 'secret'];
    const progress = options.progress ?? NO_PROGRESS;
    const rejects = new RejectsFile(
      resolve(options.rejectsFile ?? `${basename(options.file)}.rejects.jsonl`),
    );
    const mode: BatchMode = { dryRun: !!options.dryRun, overwrite: !!options.overwrite };
    const tables = visibilities.map((v) => emptyTableReport(LEGACY_TABLES[v]));
    let importSeconds = 0;
    let error: string | undefined;
    let reader: LegacySqliteReader | undefined;
    let session: LegacyImportSession | undefined;
    try {
      const file = LegacySqliteReader.open(options.file, visibilities);
      reader = file;
      session = await this.repository.openSession();
      const context = { reader: file, session, mode, rejects, progress, done: 0 };
      const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
      progress.start(
        'import',
        visibilities.reduce((n, v) => n + file.count(v), 0),
      );
      const checksums: ContentChecksum[] = [];
      for (const [i, visibility] of visibilities.entries()) {
        checksums.push(await this.importTable(context, visibility, tables[i], batchSize));
      }
      progress.stop();
      importSeconds = (performance.now() - started) / 1000;
      if (!mode.dryRun) {
        progress.start(
          'verify',
          checksums.reduce((n, c) => n + c.rows, 0),
        );
        context.done = 0;
        for (const [i, visibility] of visibilities.entries()) {
          tables[i].verification = await this.verify(context, visibility, checksums[i]);
        }
      }
    } catch (err) {
      error = this.describe(err);
      importSeconds ||= (performance.now() - started) / 1000;
    } finally {
      progress.stop();
      rejects.close();
      reader?.close();
      await session?.close().catch(() => undefined);
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
      error,
    };
    return { ...report, exitCode: exitCodeOf(report) };
  }

  private async importTable(
    context: ImportContext,
    visibility: Visibility,
    report: TableReport,
    batchSize: number,
  ): Promise<ContentChecksum> {
    const { reader, session, mode } = context;
    // Reserve the legacy ids first: a grid posted while the import runs must not take one.
    if (!mode.dryRun) await session.moveIdSequencePast(visibility, reader.maxId(visibility));
    const source = reader.rows(visibility);
    const checksum = new ContentChecksum();
    const cursor = { exhausted: false };
    try {
      while (!cursor.exhausted) {
        const tally = new BatchTally();
        const batch = takeBatch(
          context.rejects,
          visibility,
          source,
          cursor,
          tally,
          batchSize,
          checksum,
        );
        const outcome = await session.insertLegacyBatch(visibility, batch, mode);
        tally.mergeInto(report);
        report.imported += outcome.imported;
        report.present += outcome.present;
        report.overwritten += outcome.overwritten.length;
        report.conflicts += outcome.conflicts.length;
        listUpTo(report.overwrittenIds, outcome.overwritten);
        listUpTo(report.conflictIds, outcome.conflicts);
        context.done += tally.read;
        context.progress.update(context.done);
      }
    } finally {
      // An open cursor keeps the file busy: it could not be closed after a failure.
      source.return(undefined);
    }
    if (!mode.dryRun) await session.moveIdSequencePast(visibility, checksum.lastId);
    return checksum;
  }

  private async verify(
    context: ImportContext,
    visibility: Visibility,
    file: ContentChecksum,
  ): Promise<Verification> {
    const database = new ContentChecksum();
    for await (const row of this.databaseHashes(context.session, visibility, file.lastId)) {
      database.add(row.id, row.hash);
      context.done++;
      if (database.rows % VERIFY_PAGE_ROWS === 0) context.progress.update(context.done);
    }
    context.progress.update(context.done);
    const verification: Verification = {
      fileRows: file.rows,
      fileChecksum: file.digest(),
      databaseRows: database.rows,
      databaseChecksum: database.digest(),
      ok: false,
      differences: [],
    };
    verification.ok =
      verification.fileRows === verification.databaseRows &&
      verification.fileChecksum === verification.databaseChecksum;
    if (!verification.ok) {
      verification.differences = await this.findDifferences(context, visibility, file.lastId);
    }
    return verification;
  }

  /** Stored rows' content hashes up to `upToId`, in id order, a page at a time. */
  private async *databaseHashes(
    session: LegacyImportSession,
    visibility: Visibility,
    upToId: number,
  ): AsyncGenerator<{ id: number; hash: string }> {
    for (let afterId = 0; ;) {
      const page = await session.contentHashes(visibility, afterId, upToId, VERIFY_PAGE_ROWS);
      yield* page;
      if (page.length < VERIFY_PAGE_ROWS) return;
      afterId = page[page.length - 1].id;
    }
  }

  /** A second pass over the file, merged by id with the database, naming the rows that differ. */
  private async findDifferences(
    context: ImportContext,
    visibility: Visibility,
    upToId: number,
  ): Promise<Difference[]> {
    const found: Difference[] = [];
    const fileRows = (function* () {
      for (const raw of context.reader.rows(visibility)) {
        const decoded = decodeLegacyRow(visibility, raw);
        if (decoded.ok) yield { id: decoded.grid.id, hash: decoded.grid.contentHash };
      }
    })();
    let fileRow = fileRows.next();
    for await (const dbRow of this.databaseHashes(context.session, visibility, upToId)) {
      while (!fileRow.done && fileRow.value.id < dbRow.id) {
        found.push({ id: fileRow.value.id, problem: 'missing from the database' });
        fileRow = fileRows.next();
      }
      if (!fileRow.done && fileRow.value.id === dbRow.id) {
        if (fileRow.value.hash !== dbRow.hash) {
          found.push({ id: dbRow.id, problem: 'differs from the file' });
        }
        fileRow = fileRows.next();
      } else {
        found.push({ id: dbRow.id, problem: 'in the database only' });
      }
      if (found.length >= MAX_LISTED_IDS) break;
    }
    for (; !fileRow.done && found.length < MAX_LISTED_IDS; fileRow = fileRows.next()) {
      found.push({ id: fileRow.value.id, problem: 'missing from the database' });
    }
    fileRows.return(undefined);
    return found.slice(0, MAX_LISTED_IDS);
  }

  private target(): string {
    const db = this.config.database;
    if (db.kind === 'embedded') return `the embedded database in ${db.dataDir}`;
    // Never print the password.
    const url = new URL(db.url);
    return `Postgres at ${url.host}${url.pathname}`;
  }

  private describe(err: unknown): string {
    if (err instanceof LegacyFileError) return err.message;
    const message = err instanceof Error ? err.message : String(err);
    if ((err as { code?: unknown })?.code !== undefined) return `database error: ${message}`;
    this.logger.error(message, err instanceof Error ? err.stack : undefined);
    return message;
  }
}

interface ImportContext {
  reader: LegacySqliteReader;
  session: LegacyImportSession;
  mode: BatchMode;
  rejects: RejectsFile;
  progress: ImportProgress;
  done: number;
}

/**
 * The next batch's rows, decoded as the writer pulls them (so reading the file and writing to the
 * database overlap). Rejected rows go to the rejects file on the way.
 */
function* takeBatch(
  rejects: RejectsFile,
  visibility: Visibility,
  source: Iterator<RawLegacyRow>,
  cursor: { exhausted: boolean },
  tally: BatchTally,
  batchSize: number,
  checksum: ContentChecksum,
): Generator<LegacyGrid> {
  const table = LEGACY_TABLES[visibility];
  for (let taken = 0; taken < batchSize && tally.chars < MAX_BATCH_CHARS;) {
    const next = source.next();
    if (next.done) {
      cursor.exhausted = true;
      return;
    }
    tally.read++;
    const decoded = decodeLegacyRow(visibility, next.value);
    if (!decoded.ok) {
      const row = rawRowForReport(next.value);
      rejects.write({ table, id: row.id, reason: decoded.reason, row });
      tally.rejected++;
      if (tally.rejects.length < MAX_LISTED_IDS) {
        tally.rejects.push({ id: String(row.id), reason: decoded.reason });
      }
      continue;
    }
    for (const quirk of decoded.quirks) tally.quirks[quirk] = (tally.quirks[quirk] ?? 0) + 1;
    taken++;
    tally.chars += decoded.grid.gridData.length;
    checksum.add(decoded.grid.id, decoded.grid.contentHash);
    yield decoded.grid;
  }
}

function listUpTo(list: number[], ids: number[]): void {
  list.push(...ids.slice(0, Math.max(0, MAX_LISTED_IDS - list.length)));
}
