import { Module } from '@nestjs/common';
import { GridStorageModule } from '../grid-storage/grid-storage.module';
import { ImportPass } from './import-pass';
import { ImportSqliteCommand } from './import-sqlite.command';
import { LegacyImportService } from './legacy-import.service';
import { LineagePass } from './lineage-pass';
import { VerifyPass } from './verify-pass';

/**
 * The `import-sqlite` command: reading the legacy SQLite file, checking and repairing its rows,
 * reporting. The rows are written through GridStorageModule (LegacyGridWriter), which also names
 * the new URLs of posted grids that --renumber-posted moves (GridIds). Needs the app's
 * ConfigModule and DatabaseModule around it (see cli.ts).
 */
@Module({
  imports: [GridStorageModule],
  providers: [ImportSqliteCommand, LegacyImportService, ImportPass, LineagePass, VerifyPass],
  exports: [LegacyImportService],
})
export class LegacyImportModule {}
