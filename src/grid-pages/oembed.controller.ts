import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { publicOrigin } from '../common/public-origin';
import { siteName } from '../common/site-name';
import { AppConfig } from '../config/app-config';
import { GridAnswers } from './grid-answers.service';
import { ImmutableAnswer } from './immutable-answer';
import { ApiOembed } from './oembed-docs';
import { gridOfUrl, oembedAnswer, parseOembedQuery, pngSize } from './oembed';
import type { EmbedFrame } from './grid-embed-layout';

/**
 * oEmbed 1.0 (https://oembed.com): what WordPress, Discourse and other consumers ask to turn a
 * grid's URL into an embedded grid. Grid pages name it in their discovery tag.
 */
@ApiTags('embeds')
@Controller()
export class OembedController {
  constructor(
    private readonly answers: GridAnswers,
    private readonly config: AppConfig,
  ) {}

  @ApiOembed()
  @Get('oembed')
  async oembed(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const asked = parseOembedQuery(query);
    const origin = publicOrigin(this.config.publicUrl, req).url;
    const grid = gridOfUrl(asked.url, origin);
    const frameAnswer = await this.answers.embedFrame(grid.visibility, grid.hashId);
    const frame = JSON.parse((await frameAnswer.bytes()).toString('utf8')) as EmbedFrame;
    const png = await (await this.answers.png(grid.visibility, grid.hashId)).bytes();
    const site = siteName(this.config.siteName, origin);
    const body = oembedAnswer(grid, origin, asked, frame, pngSize(png), site);
    const contentType = 'application/json; charset=utf-8';
    const answer = await ImmutableAnswer.create(
      { body: Buffer.from(JSON.stringify(body)), contentType },
      false,
    );
    await answer.send(req, res, 'public, max-age=3600');
  }
}
