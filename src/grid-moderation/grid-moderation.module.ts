import { Module } from '@nestjs/common';
import { GridStorageModule } from '../grid-storage/grid-storage.module';
import {
  GridCommand,
  GridHiddenCommand,
  GridHideCommand,
  GridShowCommand,
  GridUnhideCommand,
} from './grid.command';
import { GridModerationService } from './grid-moderation.service';

/**
 * The `grid` commands (hide, unhide, show, hidden). Hides are recorded and announced through
 * GridStorageModule; the web processes' side is HiddenGridsModule. Needs the app's ConfigModule
 * and DatabaseModule around it (see cli.ts).
 */
@Module({
  imports: [GridStorageModule],
  providers: [
    GridCommand,
    GridHideCommand,
    GridUnhideCommand,
    GridShowCommand,
    GridHiddenCommand,
    GridModerationService,
  ],
  exports: [GridModerationService],
})
export class GridModerationModule {}
