import { Injectable, NotFoundException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CachedAnswer, GridCache } from './grid-cache';
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

/** A strong ETag for an immutable answer. */
export function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

@Injectable()
export class GridsService {
  constructor(
    private readonly grids: GridsRepository,
    private readonly ids: GridIds,
    private readonly cache: GridCache,
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

  /** What `/get` answers: the stored grid_data as JSON text, with its ETag. */
  async getGridDataJson(visibility: Visibility, hashId: string): Promise<CachedAnswer> {
    const id = this.ids.decode(visibility, hashId);
    const answer =
      id === null
        ? null
        : await this.cache.get(`get:${visibility}:${id}`, async () => {
            const json = await this.grids.findGridDataJson(visibility, id);
            return json === null ? null : { body: json, etag: etagOf(json) };
          });
    if (answer === null) throw new GridNotFoundException(visibility, hashId);
    return answer;
  }
}
