import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
// Before anything compiles the embedded database's 9 MB of WebAssembly. By default V8 compiles it
// twice, a quick baseline and then optimised code in background threads, whose allocations stay
// in the process: about 100 MB of an import's peak. Compiled once, optimised, it costs a second.
setFlagsFromString('--no-liftoff');
import { ConsoleLogger, DynamicModule, Logger, LogLevel, Module } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { LifecycleModule } from './common/lifecycle.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { InvalidEnvironmentError } from './config/env';
import { DataDirLockedError } from './database/data-dir-lock';
import { DatabaseModule } from './database/database.module';
import { DemoGridsModule } from './demo-grids/demo-grids.module';
import { GridModerationModule } from './grid-moderation/grid-moderation.module';
import { LegacyImportModule } from './legacy-import/legacy-import.module';

/** The commands, on the app's own configuration and database (the embedded one migrates itself). */
@Module({})
class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        LifecycleModule,
        DatabaseModule.forRoot(),
        LegacyImportModule,
        DemoGridsModule,
        GridModerationModule,
      ],
    };
  }
}

/** A command's report owns stdout (it may be piped to a file): Nest's messages go to stderr. */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _stream?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    // `fail` says it in one line, with what to do: no stack trace for a folder in use.
    if (context === 'ExceptionHandler' && messages[0] instanceof DataDirLockedError) return;
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}

/** Exit status for anything that stopped a command before it could report: 2, like usage errors. */
function fail(err: unknown): void {
  const commander = err as { code?: unknown; exitCode?: unknown } | null;
  if (typeof commander?.code === 'string' && commander.code.startsWith('commander.')) {
    // Commander has printed the message (or the help, which exits 0).
    process.exitCode = commander.exitCode === 0 ? 0 : 2;
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  console.error(err instanceof InvalidEnvironmentError ? message : `error: ${message}`);
  if (err instanceof DataDirLockedError) {
    console.error(
      'The embedded database takes one process: stop the server first, run the command, then ' +
        'start the server again (it reads what the command changed when it starts).',
    );
  }
  process.exitCode = 2;
}

async function main(): Promise<void> {
  // Colours only on a terminal: a redirected log stays plain text.
  const logger = new StderrLogger({
    logLevels: ['error', 'warn'],
    colors: Boolean(process.stderr.isTTY),
  });
  // Before the configuration is read: it warns through the static Logger.
  Logger.overrideLogger(logger);
  await CommandFactory.run(CliModule.forRoot(AppConfig.fromEnv()), {
    logger,
    // A module that cannot start (the embedded data folder in use, the database down) ends in
    // `fail`, one clear line and exit status 2, rather than in Nest's stack trace and exit 1.
    abortOnError: false,
    // Throw instead of process.exit, so the database is closed before the process ends.
    errorHandler: (err) => {
      throw err;
    },
    serviceErrorHandler: fail,
  });
}

main().catch(fail);
