import { Controller, Get, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PageExceptionsFilter } from '../common/all-exceptions.filter';
import { publicOrigin } from '../common/public-origin';
import { AppConfig } from '../config/app-config';
import { SitePages } from './site-pages.service';

/** The site's own pages: `/`, `/about`, `/recent` and `/random`. */
@ApiExcludeController()
@UseFilters(PageExceptionsFilter)
@Controller()
export class SiteController {
  constructor(
    private readonly pages: SitePages,
    private readonly config: AppConfig,
  ) {}

  @Get()
  async landing(@Req() req: Request, @Res() res: Response) {
    const answer = await this.pages.landing(publicOrigin(this.config.publicUrl, req));
    await answer.send(req, res, 'public, max-age=300');
  }

  @Get('about')
  async about(@Req() req: Request, @Res() res: Response) {
    const answer = await this.pages.about(publicOrigin(this.config.publicUrl, req));
    await answer.send(req, res, 'public, max-age=300');
  }

  @Get('random')
  async random(@Req() req: Request, @Res() res: Response) {
    const answer = await this.pages.random(publicOrigin(this.config.publicUrl, req));
    await answer.send(req, res, 'no-store');
  }

  @Get('recent')
  async recent(
    @Query('before') before: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const origin = publicOrigin(this.config.publicUrl, req);
    await (await this.pages.recent(before, origin)).send(req, res, 'public, max-age=30');
  }
}
