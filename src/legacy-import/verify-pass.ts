import { Injectable } from '@nestjs/common';
import type { Visibility } from '../grid-storage/grid-data';
import type { LegacyImportSession } from '../grid-storage/legacy-grid.writer';
import { ContentChecksum } from './content-checksum';
import type { Differences, TableReport, Verification } from './import-report';
import { decodeRow, eachRange, type ImportRun, readRows } from './import-run';
import type { IdRange } from './legacy-sqlite.reader';

const VERIFY_PAGE_ROWS = 2000;

/**
 * The verification pass: the database's rows in the file's id range against the file's, by count
 * and checksum, computed in SQL over the stored rows (nothing is pulled back but hashes). When
 * they disagree, a second pass over the file names every differing id.
 */
@Injectable()
export class VerifyPass {
  async run(
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

  private async verify(
    run: ImportRun,
    visibility: Visibility,
    file: ContentChecksum,
  ): Promise<Verification> {
    const database = new ContentChecksum();
    await eachRange(run, visibility, async (range, session) => {
      for await (const row of databaseHashes(session, visibility, range, file.maxId)) {
        database.add(row.id, row.hash);
        if (++run.done % VERIFY_PAGE_ROWS === 0) run.progress.update(run.done);
      }
    });
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
    for (const raw of readRows(run, visibility)) {
      const decoded = decodeRow(run, visibility, raw);
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
