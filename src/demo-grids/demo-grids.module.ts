import { Module } from '@nestjs/common';
import { GridStorageModule } from '../grid-storage/grid-storage.module';
import { DemoGridsCommand } from './demo-grids.command';
import { DemoGridsService } from './demo-grids.service';

/** The `demo-grids` command: example grids for a first run on an empty database. */
@Module({
  imports: [GridStorageModule],
  providers: [DemoGridsCommand, DemoGridsService],
})
export class DemoGridsModule {}
