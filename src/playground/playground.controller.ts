import { Controller, Get, Header, Param, Render, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PageExceptionsFilter } from '../common/all-exceptions.filter';
import { publicOrigin } from '../common/public-origin';
import { AppConfig } from '../config/app-config';
import { PlaygroundAssets } from './playground-assets';
import { PlaygroundPages } from './playground-pages';

/**
 * Browsers keep a playground page 10 minutes: it names hashed scripts that change with a deploy,
 * and a grid's page may be taken down.
 */
const PLAY_CACHE_CONTROL = 'public, max-age=600';

/**
 * The playground's pages. `/play` is one segment, so PlaygroundModule comes before
 * GridPagesModule's `/:hashId`; `/:hashId/play` before `/secret/:hashId` (a secret id "play" is
 * too short to exist, so `/secret/play` is the playground of a public grid "secret").
 */
@ApiExcludeController()
@UseFilters(PageExceptionsFilter)
@Controller()
export class PlaygroundController {
  constructor(
    private readonly pages: PlaygroundPages,
    private readonly config: AppConfig,
  ) {}

  @Get('play')
  @Render('pages/playground')
  @Header('Cache-Control', PLAY_CACHE_CONTROL)
  starter(@Req() req: Request) {
    return this.pages.starter(publicOrigin(this.config.publicUrl, req));
  }

  @Get(':hashId/play')
  @Render('pages/playground')
  @Header('Cache-Control', PLAY_CACHE_CONTROL)
  publicGrid(@Param('hashId') hashId: string, @Req() req: Request) {
    return this.pages.remix('public', hashId, publicOrigin(this.config.publicUrl, req));
  }

  @Get('secret/:hashId/play')
  @Render('pages/playground')
  @Header('Cache-Control', PLAY_CACHE_CONTROL)
  secretGrid(@Param('hashId') hashId: string, @Req() req: Request) {
    return this.pages.remix('secret', hashId, publicOrigin(this.config.publicUrl, req));
  }
}

/** The page's and worker's bundles and Pyodide's files, as the build made them. */
@ApiExcludeController()
@Controller('static')
export class PlaygroundAssetsController {
  constructor(private readonly assets: PlaygroundAssets) {}

  @Get('play/:file')
  bundle(@Req() req: Request, @Res() res: Response) {
    this.assets.send(req.path, req, res);
  }

  @Get('pyodide/:hash/:file')
  pyodide(@Req() req: Request, @Res() res: Response) {
    this.assets.send(req.path, req, res);
  }
}
