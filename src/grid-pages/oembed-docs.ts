import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { ERROR_SCHEMA } from '../grid-api/api-responses';

/** What the 2x2 grid of the documented post (EXAMPLE_POST_BODY) is answered. */
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
  thumbnail_width: 86,
  thumbnail_height: 86,
  cache_age: 3600,
};

const number = (description: string): SchemaObject => ({ type: 'integer', description });
const text = (description: string): SchemaObject => ({ type: 'string', description });

const OEMBED_SCHEMA: SchemaObject = {
  type: 'object',
  required: [
    'version',
    'type',
    'title',
    'provider_name',
    'provider_url',
    'html',
    'width',
    'height',
  ],
  properties: {
    version: text('Always "1.0"'),
    type: text('Always "rich"'),
    title: text("The grid's title, as on its page"),
    provider_name: text('ipythonblocks.org'),
    provider_url: text("The site's home page"),
    html: text("The iframe of the grid's embed page: what its page offers, sized as below"),
    width: number("The iframe's width in pixels, at most maxwidth"),
    height: number("The iframe's height in pixels, at most maxheight"),
    thumbnail_url: text(
      "The grid's picture; left out when it is larger than maxwidth or maxheight",
    ),
    thumbnail_width: number("The picture's width in pixels"),
    thumbnail_height: number("The picture's height in pixels"),
    cache_age: number('Seconds a consumer may keep this answer'),
  },
};

const error = (status: number, description: string, reason: string, message: string) =>
  ApiResponse({
    status,
    description,
    content: {
      'application/json': {
        schema: ERROR_SCHEMA,
        example: { statusCode: status, error: reason, message },
      },
    },
  });

/** The OpenAPI description of `GET /oembed` (OembedController). */
export function ApiOembed() {
  return applyDecorators(
    ApiOperation({
      summary: 'oEmbed: a grid page URL as an embeddable iframe',
      description:
        'oEmbed 1.0 (https://oembed.com), as WordPress, Discourse and other consumers ask it; grid ' +
        'pages name it in a `<link rel="alternate" type="application/json+oembed">` tag. The ' +
        "`rich` answer's `html` is the iframe the grid page offers in its Embed box, shrunk " +
        '(keeping its proportions) to `maxwidth` x `maxheight`; the embed page it frames ' +
        '(`/{hashId}/embed`) may be framed by any site. A secret grid works when its full ' +
        '`/secret/{hashId}` URL is given.',
    }),
    ApiQuery({ name: 'url', required: true, example: 'http://www.ipythonblocks.org/bizkiL' }),
    ApiQuery({ name: 'maxwidth', required: false, type: 'integer', example: 400 }),
    ApiQuery({ name: 'maxheight', required: false, type: 'integer', example: 300 }),
    ApiQuery({ name: 'format', required: false, enum: ['json', 'xml'], example: 'json' }),
    ApiResponse({
      status: 200,
      description: 'The oEmbed answer',
      content: { 'application/json': { schema: OEMBED_SCHEMA, example: EXAMPLE } },
    }),
    error(
      400,
      'A parameter is missing or wrong; the message names it',
      'Bad Request',
      'maxwidth: must be a whole number of pixels from 1 to 1000000, not "abc"',
    ),
    error(
      404,
      'The URL is not a grid page of this site, or names no grid',
      'Not Found',
      'No grid page at http://example.com/bizkiL on http://www.ipythonblocks.org',
    ),
    error(
      410,
      'The grid was taken down by the site’s operator',
      'Gone',
      'The grid "bizkiL" has been taken down',
    ),
    error(
      501,
      '`format=xml`: only JSON is served',
      'Not Implemented',
      'format: only json is served',
    ),
  );
}
