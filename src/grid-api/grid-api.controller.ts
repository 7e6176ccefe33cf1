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
  UseInterceptors,
} from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { shareableOrigin } from '../common/public-origin';
import { AppConfig } from '../config/app-config';
import { GridAnswers } from '../grid-pages/grid-answers.service';
import { GRID_CACHE_CONTROL } from '../grid-pages/immutable-answer';
import type { Visibility } from '../grid-storage/grid-data';
import { ApiGetGrid, ApiGridsController, ApiPostGrid, ApiPostWithGet } from './grid-api.docs';
import { GridPost, GridPostValidationPipe } from './grid-post.pipe';
import { GridPublisher } from './grid-publisher';
import { JsonBodyInterceptor } from './json-body.interceptor';

/** The JSON API the installed ipythonblocks client speaks: post_to_web() and from_web(). */
@ApiGridsController()
@Controller()
export class GridsApiController {
  constructor(
    private readonly publisher: GridPublisher,
    private readonly answers: GridAnswers,
    private readonly config: AppConfig,
  ) {}

  @ApiPostGrid()
  @Post('post')
  @UseGuards(ThrottlerGuard)
  @UseInterceptors(JsonBodyInterceptor)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async post(
    @Body(GridPostValidationPipe) post: GridPost,
    @Req() req: Request,
  ): Promise<{ url: string }> {
    return { url: await this.publisher.publish(post, shareableOrigin(this.config.publicUrl, req)) };
  }

  /** A browser opening the client's endpoint learns what it is for, instead of a grid 404. */
  @ApiPostWithGet()
  @Get('post')
  @Header('Allow', 'POST')
  postWithGet(): never {
    throw new HttpException(
      'POST a grid here, as grid.post_to_web() does; GET /get/<id> reads one back',
      HttpStatus.METHOD_NOT_ALLOWED,
    );
  }

  @ApiGetGrid('public')
  @Get('get/:hashId')
  getPublic(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.send('public', hashId, req, res);
  }

  @ApiGetGrid('secret')
  @Get('get/secret/:hashId')
  getSecret(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.send('secret', hashId, req, res);
  }

  private async send(visibility: Visibility, hashId: string, req: Request, res: Response) {
    const answer = await this.answers.json(visibility, hashId);
    await answer.send(req, res, GRID_CACHE_CONTROL);
  }
}
