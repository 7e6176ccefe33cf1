import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { publicOrigin } from '../common/public-origin';
import { AppConfig } from '../config/app-config';
import { GridAnswers } from './grid-answers.service';
import { ImmutableAnswer } from './immutable-answer';
import { gridOfUrl, oembedAnswer, parseOembedQuery, pngSize } from './oembed';
import type { EmbedFrame } from './grid-embed-layout';

const EXAMPLE = {
  version: '1.0',
  type: 'rich',
  title: 'Grid bizkiL',
  provider_name: 'ipythonblocks.org',
  provider_url: 'http://www.ipythonblocks.org/',
  html:
    '<iframe src="http://www.ipythonblocks.org/bizkiL/embed" width="200" height="67" ' +
    'title="Grid bizkiL on ipythonblocks.org" style="border: 0" loading="lazy"></iframe>',
  width: 200,
  height: 67,
  thumbnail_url: 'http://www.ipythonblocks.org/bizkiL.png',
  thumbnail_width: 64,
  thumbnail_height: 64,
  cache_age: 86400,
};

const ERROR = (statusCode: number, error: string, message: string) => ({
  schema: { example: { statusCode, error, message } },
});

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

  @ApiOperation({
    summary: 'oEmbed: a grid page URL as an embeddable iframe',
    description:
      'A `rich` oEmbed 1.0 answer whose `html` is the iframe the grid page offers in its Embed ' +
      'box, shrunk (keeping its proportions) to `maxwidth` x `maxheight`. A secret grid works ' +
      'when its full `/secret/<id>` URL is given. The grid picture is the thumbnail when it fits ' +
      'maxwidth and maxheight.',
  })
  @ApiQuery({ name: 'url', required: true, example: 'http://www.ipythonblocks.org/bizkiL' })
  @ApiQuery({ name: 'maxwidth', required: false, type: 'integer', example: 400 })
  @ApiQuery({ name: 'maxheight', required: false, type: 'integer', example: 300 })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'xml'], example: 'json' })
  @ApiResponse({ status: 200, description: 'The oEmbed answer', schema: { example: EXAMPLE } })
  @ApiResponse({
    status: 400,
    description: 'A parameter is missing or wrong; the message names it',
    ...ERROR(
      400,
      'Bad Request',
      'maxwidth: must be a whole number of pixels from 1 to 1000000, not "abc"',
    ),
  })
  @ApiResponse({
    status: 404,
    description: 'The URL is not a grid page of this site, or names no grid',
    ...ERROR(
      404,
      'Not Found',
      'No grid page at http://example.com/bizkiL on http://www.ipythonblocks.org',
    ),
  })
  @ApiResponse({
    status: 501,
    description: '`format=xml`: only JSON is served',
    ...ERROR(501, 'Not Implemented', 'format: only json is served'),
  })
  @Get('oembed')
  async oembed(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const asked = parseOembedQuery(query);
    const origin = publicOrigin(this.config.publicUrl, req).url;
    const grid = gridOfUrl(asked.url, origin);
    const frameAnswer = await this.answers.embedFrame(grid.visibility, grid.hashId);
    const frame = JSON.parse((await frameAnswer.bytes()).toString('utf8')) as EmbedFrame;
    const png = await (await this.answers.png(grid.visibility, grid.hashId)).bytes();
    const body = oembedAnswer(grid, origin, asked, frame, pngSize(png));
    const contentType = 'application/json; charset=utf-8';
    const answer = await ImmutableAnswer.create(
      { body: Buffer.from(JSON.stringify(body)), contentType },
      false,
    );
    await answer.send(req, res, 'public, max-age=3600');
  }
}
