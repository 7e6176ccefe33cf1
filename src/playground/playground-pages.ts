import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { gridPagePath, type Origin } from '../common/public-origin';
import { GridAnswers } from '../grid-pages/grid-answers.service';
import type { Visibility } from '../grid-storage/grid-data';
import { PlaygroundAssets } from './playground-assets';
import { remixOf, remixSource, STARTER_PROGRAM } from './playground-source';

/** What views/pages/playground.hbs shows. */
export interface PlaygroundModel {
  title: string;
  description: string;
  canonicalUrl: string;
  noindex: boolean;
  nav: 'play';
  playground: true;
  pageScript: string;
  source: string;
  /** The grid the page was opened from, which a post remixes. */
  from?: { hashId: string; secret: boolean; path: string; remixOf: string };
}

/** The playground's pages: the starter program, or a grid's code to remix. */
@Injectable()
export class PlaygroundPages {
  constructor(
    private readonly answers: GridAnswers,
    private readonly assets: PlaygroundAssets,
  ) {}

  starter(origin: Origin): PlaygroundModel {
    return {
      title: 'Playground',
      description: 'Write and run ipythonblocks code in the browser, and post the grid it draws.',
      canonicalUrl: `${origin.url}/play`,
      noindex: false,
      nav: 'play',
      playground: true,
      pageScript: this.pageScript(),
      source: STARTER_PROGRAM,
    };
  }

  /** A grid's code in the editor; a 404 or 410 page as the grid's own page would answer. */
  async remix(visibility: Visibility, hashId: string, origin: Origin): Promise<PlaygroundModel> {
    const pageScript = this.pageScript();
    const codeCells = await this.answers.codeCells(visibility, hashId);
    const path = gridPagePath(visibility, hashId);
    const secret = visibility === 'secret';
    return {
      title: `Remix ${secret ? 'secret grid' : 'grid'} ${hashId}`,
      description: `The code of grid ${hashId}, to change and run in the browser.`,
      canonicalUrl: `${origin.url}${path}/play`,
      noindex: secret,
      nav: 'play',
      playground: true,
      pageScript,
      source: remixSource(visibility, hashId, codeCells),
      from: { hashId, secret, path, remixOf: remixOf(visibility, hashId) },
    };
  }

  private pageScript(): string {
    const manifest = this.assets.scripts();
    if (!manifest) {
      throw new ServiceUnavailableException(
        'The playground is not built on this server: run npm run build (nest build alone ' +
          'leaves its scripts out)',
      );
    }
    return manifest.page;
  }
}
