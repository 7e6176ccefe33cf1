import { Controller, Get, Param, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PageExceptionsFilter } from '../common/all-exceptions.filter';
import { publicOrigin } from '../common/public-origin';
import { AppConfig } from '../config/app-config';
import type { Visibility } from '../grid-storage/grid-data';
import { GridAnswers } from './grid-answers.service';
import { PAGE_CACHE_CONTROL } from './grid-page.controller';

const HASH_ID = { name: 'hashId', description: 'The grid id of its page URL', example: 'bizkiL' };
const HTML = { 'text/html': { schema: { type: 'string' } } };
const EMBED_PAGE = {
  status: 200,
  description:
    'The grid alone (its table as the library draws it, or its picture past the page limit) and a ' +
    'caption linking to its page, on a transparent background. Any site may frame it ' +
    '(`Content-Security-Policy: frame-ancestors *`); every other route refuses framing.',
  content: HTML,
};

/**
 * A grid's embed page, the one route other sites may frame (GridPagesModule gives it
 * framableByAnySite). `/:hashId/embed` comes before GridPageController's `/secret/:hashId`:
 * `/secret/embed` is the embed page of a public grid "secret" (a secret id "embed" is too short
 * to exist).
 */
@ApiTags('embeds')
@UseFilters(PageExceptionsFilter)
@Controller()
export class GridEmbedController {
  constructor(
    private readonly answers: GridAnswers,
    private readonly config: AppConfig,
  ) {}

  @ApiOperation({ summary: "A grid's embed page, to show in an iframe on another site" })
  @ApiParam(HASH_ID)
  @ApiResponse(EMBED_PAGE)
  @ApiResponse({ status: 404, description: 'No such grid (an HTML page)', content: HTML })
  @ApiResponse({
    status: 410,
    description: 'Taken down by the operator (an HTML page)',
    content: HTML,
  })
  @Get(':hashId/embed')
  publicEmbed(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.embed('public', hashId, req, res);
  }

  @ApiOperation({ summary: "A secret grid's embed page" })
  @ApiParam(HASH_ID)
  @ApiResponse(EMBED_PAGE)
  @ApiResponse({ status: 404, description: 'No such secret grid (an HTML page)', content: HTML })
  @ApiResponse({
    status: 410,
    description: 'Taken down by the operator (an HTML page)',
    content: HTML,
  })
  @Get('secret/:hashId/embed')
  secretEmbed(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.embed('secret', hashId, req, res);
  }

  private async embed(visibility: Visibility, hashId: string, req: Request, res: Response) {
    const origin = publicOrigin(this.config.publicUrl, req);
    const answer = await this.answers.embed(visibility, hashId, origin);
    await answer.send(req, res, PAGE_CACHE_CONTROL);
  }
}
