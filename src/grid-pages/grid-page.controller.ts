import {
  BadRequestException,
  Controller,
  Get,
  Param,
  PipeTransform,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PageExceptionsFilter } from '../common/all-exceptions.filter';
import { publicOrigin } from '../common/public-origin';
import { AppConfig } from '../config/app-config';
import type { Visibility } from '../grid-storage/grid-data';
import { GridAnswers } from './grid-answers.service';
import { PICTURE_SIZES, type PictureSize } from './grid-image-layout';
import { GRID_CACHE_CONTROL } from './immutable-answer';

/** `?size=thumb` for the gallery's thumbnail; none for the full picture. */
class PictureSizePipe implements PipeTransform<unknown, PictureSize> {
  transform(value: unknown): PictureSize {
    if (value === undefined) return 'full';
    if (value !== 'full' && typeof value === 'string' && value in PICTURE_SIZES) {
      return value as PictureSize;
    }
    const sizes = Object.keys(PICTURE_SIZES).filter((s) => s !== 'full');
    throw new BadRequestException(
      `size must be ${sizes.map((s) => `"${s}"`).join(' or ')}, or absent for the full picture ` +
        `(got ${JSON.stringify(value)})`,
    );
  }
}

/**
 * A page embeds hashed asset URLs that change with a deploy: browsers keep it for 10 minutes and
 * revalidate cheaply with its ETag. Shared caches keep it as long as the grid's data, and no
 * longer, so a hidden grid's page goes when its data does (see GRID_CACHE_CONTROL). For the
 * embed page, which shows the grid alone.
 */
export const PAGE_CACHE_CONTROL = 'public, max-age=600, s-maxage=3600, stale-while-revalidate=60';

/**
 * A grid's page lists its remixes, and a new one is on it within 1.5 s (LINEAGE_MAX_AGE_MS):
 * a browser or a CDN may keep the page but asks again before each use. The answer to that is a
 * 304 by ETag when nothing changed, made from memory (GridLineage reads lineage for all the
 * grids viewed in one statement a second).
 */
export const LINEAGE_CACHE_CONTROL = 'public, no-cache';

/**
 * A grid as people see it: `/<id>`, its picture `/<id>.png` and its code `/<id>.py`, and the
 * same under `/secret/`. `/:hashId` takes any single path segment, so these routes are
 * registered after every other (see AppModule and GridPagesModule).
 */
@ApiExcludeController()
@UseFilters(PageExceptionsFilter)
@Controller()
export class GridPageController {
  constructor(
    private readonly answers: GridAnswers,
    private readonly config: AppConfig,
  ) {}

  @Get('secret/:hashId.png')
  secretPng(
    @Param('hashId') hashId: string,
    @Query('size', PictureSizePipe) size: PictureSize,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.png('secret', hashId, size, req, res);
  }

  @Get(':hashId.png')
  publicPng(
    @Param('hashId') hashId: string,
    @Query('size', PictureSizePipe) size: PictureSize,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.png('public', hashId, size, req, res);
  }

  @Get('secret/:hashId.py')
  secretCode(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.code('secret', hashId, req, res);
  }

  @Get(':hashId.py')
  publicCode(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.code('public', hashId, req, res);
  }

  @Get('secret/:hashId')
  secretGrid(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.page('secret', hashId, req, res);
  }

  @Get(':hashId')
  publicGrid(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.page('public', hashId, req, res);
  }

  private async png(
    visibility: Visibility,
    hashId: string,
    size: PictureSize,
    req: Request,
    res: Response,
  ) {
    await (await this.answers.png(visibility, hashId, size)).send(req, res, GRID_CACHE_CONTROL);
  }

  private async code(visibility: Visibility, hashId: string, req: Request, res: Response) {
    await (await this.answers.codeScript(visibility, hashId)).send(req, res, GRID_CACHE_CONTROL);
  }

  private async page(visibility: Visibility, hashId: string, req: Request, res: Response) {
    const origin = publicOrigin(this.config.publicUrl, req);
    const answer = await this.answers.page(visibility, hashId, origin);
    await answer.send(req, res, LINEAGE_CACHE_CONTROL);
  }
}
