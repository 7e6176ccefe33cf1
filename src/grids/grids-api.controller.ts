import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import type { Visibility } from './grid-data';
import { GridPost, GridPostPipe } from './grid-post.pipe';
import { GridsService } from './grids.service';
import { gridPageUrl } from './public-url';

/** The JSON API the installed ipythonblocks client speaks: post_to_web() and from_web(). */
@Controller()
export class GridsApiController {
  constructor(
    private readonly grids: GridsService,
    private readonly config: AppConfig,
  ) {}

  @Post('post')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async post(@Body(GridPostPipe) post: GridPost, @Req() req: Request): Promise<{ url: string }> {
    const created = await this.grids.create(post);
    return { url: gridPageUrl(this.config.publicUrl, req, created.visibility, created.hashId) };
  }

  @Get('get/:hashId')
  getPublic(@Param('hashId') hashId: string, @Res() res: Response): Promise<void> {
    return this.send('public', hashId, res);
  }

  @Get('get/secret/:hashId')
  getSecret(@Param('hashId') hashId: string, @Res() res: Response): Promise<void> {
    return this.send('secret', hashId, res);
  }

  private async send(visibility: Visibility, hashId: string, res: Response): Promise<void> {
    const { body, etag } = await this.grids.getGridDataJson(visibility, hashId);
    // A posted grid never changes, so browsers and CDNs may keep the answer; Express answers
    // a matching If-None-Match with 304.
    res
      .status(200)
      .type('application/json')
      .set('Cache-Control', 'public, max-age=31536000, immutable')
      .set('ETag', etag)
      .send(body);
  }
}
