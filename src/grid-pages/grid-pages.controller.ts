import { Controller, Get, Header, Param, Query, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { IMMUTABLE } from './immutable-answer';
import { AppConfig } from '../config/app-config';
import type { Visibility } from '../grid-storage/grid-data';
import { postedDate } from './grid-page-model';
import { GridsService } from './grid-answers.service';
import { LandingService } from './landing.service';
import { gridPagePath, publicOrigin } from '../common/public-origin';

const RECENT_PAGE_SIZE = 24;
const PAGE_CACHE_CONTROL = 'public, max-age=600, s-maxage=3600, stale-while-revalidate=86400';

/**
 * The pages people see. Its routes are registered after every other controller's (see
 * AppModule), so `/:hashId` never shadows `/health`, `/post` or `/api/...`.
 */
@ApiExcludeController()
@Controller()
export class GridsPagesController {
  constructor(
    private readonly grids: GridsService,
    private readonly landing: LandingService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Render('pages/landing')
  @Header('Cache-Control', 'public, max-age=300')
  home(@Req() req: Request) {
    return this.landing.model(publicOrigin(this.config.publicUrl, req).url);
  }

  @Get('about')
  @Render('pages/about')
  @Header('Cache-Control', 'public, max-age=300')
  about(@Req() req: Request) {
    const origin = publicOrigin(this.config.publicUrl, req).url;
    return {
      title: 'About',
      description: 'What ipythonblocks is, and how to share, find and remix grids.',
      canonicalUrl: `${origin}/about`,
      nav: 'about',
    };
  }

  @Get('random')
  @Header('Cache-Control', 'no-store')
  async random(@Res() res: Response) {
    const hashId = await this.grids.randomPublicHashId();
    if (hashId === null) {
      res.status(200).render('pages/random-empty', {
        title: 'No grids yet',
        description: 'Nobody has shared a public grid yet.',
        noindex: true,
      });
      return;
    }
    res.redirect(303, gridPagePath('public', hashId));
  }

  @Get('recent')
  @Header('Cache-Control', 'public, max-age=30')
  async recent(
    @Query('before') before: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const origin = publicOrigin(this.config.publicUrl, req).url;
    const { grids, next } = await this.grids.recentPublic(before, RECENT_PAGE_SIZE);
    res.render('pages/recent', {
      title: before ? 'Older grids' : 'Recent grids',
      description: 'The newest grids shared from ipythonblocks notebooks.',
      canonicalUrl: `${origin}/recent${before ? `?before=${before}` : ''}`,
      nav: 'recent',
      first: before === undefined,
      grids: grids.map((g) => ({
        hashId: g.hashId,
        ipbClass: g.ipbClass,
        size: `${String(g.width)} × ${String(g.height)}`,
        posted: postedDate(g.createdAt),
      })),
      next,
    });
  }

  @Get('secret/:hashId.png')
  secretPng(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.png('secret', hashId, req, res);
  }

  @Get(':hashId.png')
  publicPng(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.png('public', hashId, req, res);
  }

  @Get('secret/:hashId.py')
  secretCode(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.codeScript('secret', hashId, req, res);
  }

  @Get(':hashId.py')
  publicCode(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.codeScript('public', hashId, req, res);
  }

  @Get('secret/:hashId')
  secretGrid(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.page('secret', hashId, req, res);
  }

  @Get(':hashId')
  publicGrid(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.page('public', hashId, req, res);
  }

  private async png(visibility: Visibility, hashId: string, req: Request, res: Response) {
    const answer = await this.grids.getPng(visibility, hashId);
    await answer.send(req, res, IMMUTABLE);
  }

  private async codeScript(visibility: Visibility, hashId: string, req: Request, res: Response) {
    const answer = await this.grids.getCodeScript(visibility, hashId);
    await answer.send(req, res, IMMUTABLE);
  }

  /**
   * The page embeds hashed asset URLs that change with a deploy, so it is not `immutable` like
   * /get: caches keep it for a while and revalidate cheaply with its ETag.
   */
  private async page(visibility: Visibility, hashId: string, req: Request, res: Response) {
    const origin = publicOrigin(this.config.publicUrl, req);
    const answer = await this.grids.getPage(visibility, hashId, origin);
    await answer.send(req, res, PAGE_CACHE_CONTROL);
  }
}
