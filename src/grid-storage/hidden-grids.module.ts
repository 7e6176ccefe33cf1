import { Module } from '@nestjs/common';
import { GridStorageModule } from './grid-storage.module';
import { HiddenGridSet } from './hidden-grid-set';
import { RandomGrids } from './random-grids';

/**
 * What a web process knows of hidden grids: the set in memory, kept current by listening to
 * every hide and unhide. Apart from GridStorageModule so that the CLI, which writes hides, does
 * not listen to them. RandomGrids is here too: it skips what the set says is hidden.
 */
@Module({
  imports: [GridStorageModule],
  providers: [HiddenGridSet, RandomGrids],
  exports: [HiddenGridSet, RandomGrids],
})
export class HiddenGridsModule {}
