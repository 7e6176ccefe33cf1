import { Module } from '@nestjs/common';
import { ImportSqliteCommand } from './import-sqlite.command';
import { LegacyGridsRepository } from './legacy-grids.repository';
import { LegacyImportService } from './legacy-import.service';

/** The `import-sqlite` command. Needs the app's ConfigModule and DatabaseModule around it. */
@Module({
  providers: [ImportSqliteCommand, LegacyImportService, LegacyGridsRepository],
  exports: [LegacyImportService],
})
export class LegacyImportModule {}
