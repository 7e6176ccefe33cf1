import { Module } from '@nestjs/common';
import { GridStorageModule } from './grid-storage.module';
import { HiddenGridSet } from './hidden-grid-set';

/**
 * What a web process knows of hidden grids: the set in memory, kept current by listening to
 * every hide and unhide. Apart from GridStorageModule so that the CLI, which writes hides, does
 * not listen to them.
 */
@Module({
  imports: [GridStorageModule],
  providers: [HiddenGridSet],
  exports: [HiddenGridSet],
})
export class HiddenGridsModule {}
