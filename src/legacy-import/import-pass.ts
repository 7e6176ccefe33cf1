import { Injectable } from '@nestjs/common';
import type { Visibility } from '../grid-storage/grid-data';
import type { LegacyImportSession } from '../grid-storage/legacy-grid.writer';
import { ContentChecksum } from './content-checksum';
import { listUpTo, type RejectedRow, type TableReport } from './import-report';
import { decodeRow, eachRange, ImportInterrupted, type ImportRun, readRows } from './import-run';
import { LEGACY_TABLES, type LegacyGrid, type RawLegacyRow } from './legacy-grid';
import type { Quirk } from './legacy-quirks';
import type { IdRange } from './legacy-sqlite.reader';
import { rawRowForReport } from './rejects-file';

// A batch also ends at this much JSON text, so a run of huge ImageGrids stays one sane transaction.
const MAX_BATCH_CHARS = 16 * 1024 * 1024;

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

/**
 * The import pass: every row of the file read, checked, and written in batches, each table's id
 * ranges side by side. Returns each table's checksum of the rows read, for the verification pass.
 */
@Injectable()
export class ImportPass {
  async run(
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

  private async importTable(
    run: ImportRun,
    visibility: Visibility,
    report: TableReport,
  ): Promise<ContentChecksum> {
    const checksum = new ContentChecksum();
    await eachRange(run, visibility, (range, session) =>
      this.importRange(run, session, visibility, range, report, checksum),
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
    const source = readRows(run, visibility, range);
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
    const decoded = decodeRow(run, visibility, next.value);
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
    if (decoded.remixOf) {
      run.remixes.push({ visibility, id, rowHash: decoded.grid.rowHash, parent: decoded.remixOf });
    }
    yield decoded.grid;
  }
}
