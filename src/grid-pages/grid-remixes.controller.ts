import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PageExceptionsFilter } from '../common/all-exceptions.filter';
import { publicOrigin } from '../common/public-origin';
import { AppConfig } from '../config/app-config';
import type { Visibility } from '../grid-storage/grid-data';
import { LINEAGE_CACHE_CONTROL } from './grid-page.controller';
import { RemixPages } from './remix-pages.service';

/**
 * The remixes of a grid, `/<id>/remixes` and `/secret/<id>/remixes`. Registered after
 * GridPageController: `/secret/remixes` is the page of a secret grid "remixes" (a public grid
 * "secret" is no likelier, and its page matters more than its list).
 */
@ApiExcludeController()
@UseFilters(PageExceptionsFilter)
@Controller()
export class GridRemixesController {
  constructor(
    private readonly pages: RemixPages,
    private readonly config: AppConfig,
  ) {}

  @Get('secret/:hashId/remixes')
  secretRemixes(
    @Param('hashId') hashId: string,
    @Query('before') before: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.remixes('secret', hashId, before, req, res);
  }

  @Get(':hashId/remixes')
  publicRemixes(
    @Param('hashId') hashId: string,
    @Query('before') before: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.remixes('public', hashId, before, req, res);
  }

  private async remixes(
    visibility: Visibility,
    hashId: string,
    before: unknown,
    req: Request,
    res: Response,
  ) {
    const origin = publicOrigin(this.config.publicUrl, req);
    const answer = await this.pages.page(visibility, hashId, before, origin);
    await answer.send(req, res, LINEAGE_CACHE_CONTROL);
  }
}
