import { Injectable, NotFoundException } from '@nestjs/common';
import type { Visibility } from './grid-data';
import { GridIds } from './grid-ids';
import type { GridPost } from './grid-post.pipe';
import { GridsRepository } from './grids.repository';

export interface CreatedGrid {
  visibility: Visibility;
  hashId: string;
}

export class GridNotFoundException extends NotFoundException {
  constructor(visibility: Visibility, hashId: string) {
    super(`No ${visibility === 'secret' ? 'secret ' : ''}grid with id ${JSON.stringify(hashId)}`);
  }
}

@Injectable()
export class GridsService {
  constructor(
    private readonly grids: GridsRepository,
    private readonly ids: GridIds,
  ) {}

  async create(post: GridPost): Promise<CreatedGrid> {
    const visibility: Visibility = post.secret ? 'secret' : 'public';
    const id = await this.grids.insert(visibility, {
      ipbVersion: post.ipbVersion,
      pythonVersion: post.pythonVersion,
      gridData: post.gridData,
      codeCells: post.codeCells,
      ipbClass: post.ipbClass,
      secret: post.secret,
    });
    return { visibility, hashId: this.ids.encode(visibility, id) };
  }

  async getGridDataJson(visibility: Visibility, hashId: string): Promise<string> {
    const id = this.ids.decode(visibility, hashId);
    const json = id === null ? null : await this.grids.findGridDataJson(visibility, id);
    if (json === null) throw new GridNotFoundException(visibility, hashId);
    return json;
  }
}
