import { Module } from '@nestjs/common';
import { GridStorageModule } from '../grid-storage/grid-storage.module';
import { HiddenGridsModule } from '../grid-storage/hidden-grids.module';
import { GridLineage } from './grid-lineage.service';

/**
 * Remix lineage: which grid a grid remixes and which remix it, as the pages show them (the API
 * records it through GridsRepository, and tells GridLineage, so its own process shows it at once).
 * The rules of what is found in a post (remix-ref.ts) are pure, for the API and the import.
 */
@Module({
  imports: [GridStorageModule, HiddenGridsModule],
  providers: [GridLineage],
  exports: [GridLineage],
})
export class GridLineageModule {}
