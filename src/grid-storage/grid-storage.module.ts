import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GridIds } from './grid-ids';
import { GridsRepository } from './grids.repository';
import { PublicGrid, SecretGrid } from './grid.entity';
import { HiddenGrid } from './hidden-grid.entity';
import { HiddenGridsRepository } from './hidden-grids.repository';
import { LegacyGridWriter } from './legacy-grid.writer';

/**
 * The two grid tables, owned once: their entities, every read and write of them (the site's,
 * and the legacy import's bulk writes), the hashids that name their rows in URLs, and the read
 * model every renderer takes (stored-grid.ts), and the record of grids the operator hid. Nothing outside this folder knows a table's SQL.
 */
@Module({
  imports: [TypeOrmModule.forFeature([PublicGrid, SecretGrid, HiddenGrid])],
  providers: [GridIds, GridsRepository, HiddenGridsRepository, LegacyGridWriter],
  exports: [GridIds, GridsRepository, HiddenGridsRepository, LegacyGridWriter],
})
export class GridStorageModule {}
