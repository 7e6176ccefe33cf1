import { Injectable } from '@nestjs/common';
import { gridPagePath } from '../common/public-origin';
import { GridIds } from '../grid-storage/grid-ids';
import { GridsRepository } from '../grid-storage/grids.repository';
import { DEMO_GRIDS } from './demo-grids';

export interface DemoGridsResult {
  /** Grids the database held before: demo grids go into an empty one only. */
  existing: number;
  added: { title: string; path: string }[];
}

/** Fills an empty database with the example grids, so a first run has pages to show. */
@Injectable()
export class DemoGridsService {
  constructor(
    private readonly grids: GridsRepository,
    private readonly ids: GridIds,
  ) {}

  async fillIfEmpty(): Promise<DemoGridsResult> {
    const existing = (await this.grids.count('public')) + (await this.grids.count('secret'));
    if (existing > 0) return { existing, added: [] };
    const added: DemoGridsResult['added'] = [];
    for (const demo of DEMO_GRIDS) {
      const visibility = demo.secret ? 'secret' : 'public';
      const id = await this.grids.insert(visibility, {
        ipbVersion: '1.9.0',
        pythonVersion: [3, 12, 0, 'final', 0],
        gridDataJson: JSON.stringify(demo.gridData),
        codeCells: demo.codeCells,
        ipbClass: demo.ipbClass,
        secret: demo.secret,
      });
      added.push({
        title: demo.title,
        path: gridPagePath(visibility, this.ids.encode(visibility, id)),
      });
    }
    return { existing, added };
  }
}
