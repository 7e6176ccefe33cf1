import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  HttpException,
  HttpStatus,
  Param,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { IMMUTABLE } from '../common/immutable-answer';
import { AppConfig } from '../config/app-config';
import type { Visibility } from './grid-data';
import { GridPost, GridPostPipe } from './grid-post.pipe';
import { GridsService } from './grids.service';
import { gridPagePath, publicOrigin } from './public-url';

/** The JSON API the installed ipythonblocks client speaks: post_to_web() and from_web(). */
@Controller()
export class GridsApiController {
  constructor(
    private readonly grids: GridsService,
    private readonly config: AppConfig,
  ) {}

  @Post('post')
  @UseGuards(ThrottlerGuard)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async post(@Body(GridPostPipe) post: GridPost, @Req() req: Request): Promise<{ url: string }> {
    const created = await this.grids.create(post);
    const origin = publicOrigin(this.config.publicUrl, req);
    return { url: `${origin}${gridPagePath(created.visibility, created.hashId)}` };
  }

  /** A browser opening the client's endpoint learns what it is for, instead of a grid 404. */
  @Get('post')
  @Header('Allow', 'POST')
  postWithGet(): never {
    throw new HttpException(
      'POST a grid here, as grid.post_to_web() does; GET /get/<id> reads one back',
      HttpStatus.METHOD_NOT_ALLOWED,
    );
  }

  @Get('get/:hashId')
  getPublic(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.send('public', hashId, req, res);
  }

  @Get('get/secret/:hashId')
  getSecret(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.send('secret', hashId, req, res);
  }

  private async send(visibility: Visibility, hashId: string, req: Request, res: Response) {
    const answer = await this.grids.getGridDataJson(visibility, hashId);
    await answer.send(req, res, IMMUTABLE);
  }
}
