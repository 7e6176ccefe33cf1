import { Injectable, Logger } from '@nestjs/common';
import { basename, resolve } from 'node:path';
import { AppConfig } from '../config/app-config';
import { gridPagePath } from '../common/public-origin';
import type { Visibility } from '../grid-storage/grid-data';
import { GridIds } from '../grid-storage/grid-ids';
import type { BatchMode, LegacyImportSession } from '../grid-storage/legacy-grid.writer';
import { LegacyGridWriter } from '../grid-storage/legacy-grid.writer';
import { NO_PROGRESS } from './import-progress';
import { DEFAULT_BATCH_SIZE, DEFAULT_JOBS, type ImportOptions } from './import-options';
import { ImportPass } from './import-pass';
import {
  emptyTableReport,
  type ImportReport,
  type PostedInRange,
  type TableReport,
} from './import-report';
import type { ImportRun } from './import-run';
import { describeFailure, describeTarget, summarise } from './import-summary';
import { LEGACY_TABLES } from './legacy-grid';
import { LegacySqliteReader } from './legacy-sqlite.reader';
import { RejectsFile } from './rejects-file';
import { LineagePass } from './lineage-pass';
import { VerifyPass } from './verify-pass';

/**
 * Moves the legacy SQLite grids into Postgres, keeping every id: opens the file and the
 * connections, reserves the file's ids, then runs the import pass and the verification pass.
 * Never throws for bad input or a failing database: everything ends up in the report, whose exit
 * code says how it went.
 */
@Injectable()
export class LegacyImportService {
  private readonly logger = new Logger(LegacyImportService.name);

  constructor(
    private readonly writer: LegacyGridWriter,
    private readonly config: AppConfig,
    private readonly gridIds: GridIds,
    private readonly importPass: ImportPass,
    private readonly verifyPass: VerifyPass,
    private readonly lineagePass: LineagePass,
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
      for (let i = 0; i < jobs; i++) sessions.push(await this.writer.openSession());
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
          limits: this.config.limits,
          remixes: [],
        };
        const checksums = await this.importPass.run(run, visibilities, tables, options.signal);
        // Once every row is in: a remix may come before the grid it remixes, in the other table.
        if (!mode.dryRun) await this.lineagePass.run(run, visibilities, tables);
        importSeconds = (performance.now() - started) / 1000;
        if (!mode.dryRun) await this.verifyPass.run(run, visibilities, tables, checksums);
      }
    } catch (err) {
      error = describeFailure(err, this.logger);
      importSeconds ||= (performance.now() - started) / 1000;
    } finally {
      progress.stop();
      rejects.close();
      reader?.close();
      for (const session of sessions) await session.close().catch(() => undefined);
    }
    return summarise({
      file: options.file,
      target: describeTarget(this.config),
      dryRun: mode.dryRun,
      tables,
      rejectsFile: rejects.lines > 0 ? rejects.path : null,
      importSeconds,
      totalSeconds: (performance.now() - started) / 1000,
      refused,
      error,
    });
  }

  /**
   * Reserves the file's ids before the first row is written (see `reserveLegacyIds`); records the
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
}
