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
 * The remixes of a grid, `/<id>/remixes` and `/secret/<id>/remixes`. Like the embed pages, these
 * come before GridPageController's `/secret/:hashId`: `/secret/remixes` lists the remixes of a
 * public grid "secret" (a secret grid "remixes" would need an id past 24 million: ids of 7
 * characters start there).
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
