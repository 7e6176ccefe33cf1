import { Command, CommandRunner, Option } from 'nest-commander';
import type { Visibility } from '../grid-storage/grid-data';
import { LineProgress, TerminalProgress } from './import-progress';
import { formatImportReport } from './format-import-report';
import { DEFAULT_BATCH_SIZE, DEFAULT_JOBS } from './import-options';
import type { ImportReport } from './import-report';
import { LegacyImportService } from './legacy-import.service';

interface ImportSqliteFlags {
  dryRun?: boolean;
  batchSize?: number;
  only?: Visibility;
  rejects?: string;
  overwrite?: boolean;
  renumberPosted?: boolean;
  jobs?: number;
}

/** A bad flag value; commander prints the message and the usage. */
export class UsageError extends Error {}

@Command({
  name: 'import-sqlite',
  arguments: '<file>',
  description:
    'Copy the grids of the legacy site’s SQLite file into the database, keeping every id. ' +
    'Safe to run again: rows already there are left alone.',
  argsDescription: { file: 'the legacy SQLite database (tables public_grids, secret_grids)' },
})
export class ImportSqliteCommand extends CommandRunner {
  constructor(private readonly importer: LegacyImportService) {
    super();
  }

  async run([file]: string[], flags: ImportSqliteFlags): Promise<void> {
    const progress = process.stderr.isTTY
      ? new TerminalProgress(process.stderr)
      : new LineProgress(process.stderr);
    // The first Ctrl-C (or a SIGTERM) lets the batches in flight commit and the database close
    // cleanly, which the embedded one needs; a second one exits at once.
    const abort = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (abort.signal.aborted) process.exit(130);
      process.stderr.write(`\n${signal}: stopping after the current batch (again to quit now)\n`);
      abort.abort();
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    let report: ImportReport;
    try {
      report = await this.importer.run({
        file,
        dryRun: flags.dryRun,
        batchSize: flags.batchSize,
        only: flags.only,
        rejectsFile: flags.rejects,
        overwrite: flags.overwrite,
        renumberPosted: flags.renumberPosted,
        jobs: flags.jobs,
        progress,
        signal: abort.signal,
      });
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    }
    process.stdout.write(formatImportReport(report));
    process.exitCode = report.exitCode;
  }

  @Option({ flags: '--dry-run', description: 'read and check everything, write nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({
    flags: '--batch-size <rows>',
    description: `rows per transaction (default ${DEFAULT_BATCH_SIZE})`,
  })
  parseBatchSize(value: string): number {
    return wholeNumber('--batch-size', value, 100_000);
  }

  @Option({
    flags: '--jobs <n>',
    description: `id ranges written side by side, one connection each (default ${DEFAULT_JOBS}; the embedded database takes 1)`,
  })
  parseJobs(value: string): number {
    return wholeNumber('--jobs', value, 16);
  }

  @Option({
    flags: '--only <table>',
    description: 'import only the public or only the secret grids',
    choices: ['public', 'secret'],
  })
  parseOnly(value: string): Visibility {
    // Commander's own choices check is replaced by this parser, so it checks again.
    if (value !== 'public' && value !== 'secret') {
      throw new UsageError(`--only must be public or secret, not ${value}`);
    }
    return value;
  }

  @Option({
    flags: '--rejects <file>',
    description: 'where to write unreadable rows as JSON lines (default <file name>.rejects.jsonl)',
  })
  parseRejects(value: string): string {
    return value;
  }

  @Option({
    flags: '--overwrite',
    description: 'replace rows already present with different content (default: report them)',
  })
  parseOverwrite(): boolean {
    return true;
  }

  @Option({
    flags: '--renumber-posted',
    description:
      'move grids posted through the site at ids the file needs to fresh ids, then import ' +
      '(default: refuse and name them)',
  })
  parseRenumberPosted(): boolean {
    return true;
  }
}

function wholeNumber(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}, not ${value}`);
  }
  return n;
}
