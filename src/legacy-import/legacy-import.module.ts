import { Module } from '@nestjs/common';
import { GridIds } from '../grid-storage/grid-ids';
import { ImportSqliteCommand } from './import-sqlite.command';
import { LegacyGridsRepository } from '../grid-storage/legacy-grid.writer';
import { LegacyImportService } from './legacy-import.service';

/** The `import-sqlite` command. Needs the app's ConfigModule and DatabaseModule around it. */
@Module({
  // GridIds names the new URLs of posted grids that --renumber-posted moves.
  providers: [ImportSqliteCommand, LegacyImportService, LegacyGridsRepository, GridIds],
  exports: [LegacyImportService],
})
export class LegacyImportModule {}
