import { Controller, Get, Param, Req, Res, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PageExceptionsFilter } from '../common/all-exceptions.filter';
import { publicOrigin } from '../common/public-origin';
import { AppConfig } from '../config/app-config';
import type { Visibility } from '../grid-storage/grid-data';
import { GridAnswers } from './grid-answers.service';
import { ApiGridFormat } from './grid-formats.docs';
import { notebookFileName } from './grid-notebook';
import { SVG_CONTENT_SECURITY_POLICY } from './grid-svg';
import { GRID_CACHE_CONTROL } from './immutable-answer';

/**
 * A grid in the formats people take elsewhere: `/<id>.ipynb`, the notebook that made it, and
 * `/<id>.svg`, its picture as vectors; the same under `/secret/`. Registered before
 * GridPageController, whose `/:hashId` would take `<id>.svg` for an id.
 */
@ApiTags('formats')
@UseFilters(PageExceptionsFilter)
@Controller()
export class GridFormatsController {
  constructor(
    private readonly answers: GridAnswers,
    private readonly config: AppConfig,
  ) {}

  @ApiGridFormat('ipynb', true)
  @Get('secret/:hashId.ipynb')
  secretNotebook(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.notebook('secret', hashId, req, res);
  }

  @ApiGridFormat('ipynb', false)
  @Get(':hashId.ipynb')
  publicNotebook(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.notebook('public', hashId, req, res);
  }

  @ApiGridFormat('svg', true)
  @Get('secret/:hashId.svg')
  secretSvg(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.svg('secret', hashId, req, res);
  }

  @ApiGridFormat('svg', false)
  @Get(':hashId.svg')
  publicSvg(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.svg('public', hashId, req, res);
  }

  private async notebook(visibility: Visibility, hashId: string, req: Request, res: Response) {
    const origin = publicOrigin(this.config.publicUrl, req);
    const answer = await this.answers.notebook(visibility, hashId, origin);
    res.attachment(notebookFileName(visibility, hashId));
    await answer.send(req, res, GRID_CACHE_CONTROL);
  }

  private async svg(visibility: Visibility, hashId: string, req: Request, res: Response) {
    const answer = await this.answers.svg(visibility, hashId);
    res.setHeader('Content-Security-Policy', SVG_CONTENT_SECURITY_POLICY);
    await answer.send(req, res, GRID_CACHE_CONTROL);
  }
}
