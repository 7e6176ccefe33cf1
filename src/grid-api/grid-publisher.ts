import { HttpStatus, Injectable } from '@nestjs/common';
import { CommitUnconfirmedError } from '../common/database-errors';
import { LoggedHttpException } from '../common/logged-http-exception';
import { gridPagePath } from '../common/public-origin';
import { StorageMonitor } from '../database/storage-monitor';
import type { Visibility } from '../grid-storage/grid-data';
import { GridIds } from '../grid-storage/grid-ids';
import { type GridKey, GridsRepository } from '../grid-storage/grids.repository';
import { GridLineage } from '../grid-lineage/grid-lineage.service';
import { remixRefInCode } from '../grid-lineage/remix-ref';
import type { GridPost } from './grid-post.pipe';

/**
 * The grid and its COMMIT were sent and no answer came in time: it may or may not be stored.
 * Saying "try again" could make a duplicate, so the answer says so and gives the URL the grid
 * has if it was stored, for the person to look at before posting again.
 */
export class GridMayNotBeStoredException extends LoggedHttpException {
  constructor(url: string, gridId: string, cause: unknown) {
    super(
      {
        statusCode: HttpStatus.GATEWAY_TIMEOUT,
        error: 'Gateway Timeout',
        message:
          'The database did not confirm in time that the grid was stored: it may or may not have ' +
          `been stored. Open ${url} to see, before posting it again.`,
        url,
      },
      HttpStatus.GATEWAY_TIMEOUT,
      `outcome unknown for ${gridId} (${url}): ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** Stores what `post_to_web()` sent and names the page it gets. */
@Injectable()
export class GridPublisher {
  constructor(
    private readonly grids: GridsRepository,
    private readonly ids: GridIds,
    private readonly storage: StorageMonitor,
    private readonly lineage: GridLineage,
  ) {}

  /** Stores a post; answers the URL of its page at `origin`. */
  async publish(post: GridPost, origin: string): Promise<string> {
    this.storage.assertRoomToWrite();
    const visibility: Visibility = post.secret ? 'secret' : 'public';
    const pageUrl = (id: number) =>
      `${origin}${gridPagePath(visibility, this.ids.encode(visibility, id))}`;
    const parent = this.parentOf(post);
    try {
      const id = await this.grids.insert(visibility, {
        ipbVersion: post.ipbVersion,
        pythonVersion: post.pythonVersion,
        gridDataJson: post.gridDataJson,
        codeCells: post.codeCells,
        ipbClass: post.ipbClass,
        secret: post.secret,
        parent,
      });
      this.storage.recordWriteOk();
      if (parent) this.lineage.remixAdded(parent);
      return pageUrl(id);
    } catch (err) {
      if (!(err instanceof CommitUnconfirmedError)) throw err;
      const id = err.result as number;
      throw new GridMayNotBeStoredException(pageUrl(id), `${visibility} grid id ${id}`, err);
    }
  }

  /**
   * The grid the post remixes: the one `remix_of` names, else the first `from_web` of its code.
   * An id no grid can have is none; whether a grid has it is the repository's to find out.
   */
  private parentOf(post: GridPost): GridKey | null {
    const ref = post.remixOf ?? remixRefInCode(post.codeCells);
    if (!ref) return null;
    const id = this.ids.decode(ref.visibility, ref.hashId);
    return id === null ? null : { visibility: ref.visibility, id };
  }
}
