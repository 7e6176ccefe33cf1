import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse } from '@nestjs/swagger';
import { NOTEBOOK_CONTENT_TYPE } from './grid-notebook';
import { SVG_CONTENT_SECURITY_POLICY, SVG_CONTENT_TYPE } from './grid-svg';
import { GRID_CACHE_CONTROL } from './immutable-answer';

// The OpenAPI description of GridFormatsController's routes: what each format is, for people
// writing tools around the site (the client library itself speaks only /post and /get).

type Format = 'ipynb' | 'svg';

const SUMMARIES: Record<Format, string> = {
  ipynb: 'Download the notebook that made a grid',
  svg: 'A grid as SVG',
};

const DESCRIPTIONS: Record<Format, string> = {
  ipynb:
    'A Jupyter notebook (nbformat 4.5), sent as an attachment: a markdown cell linking to the ' +
    "grid's page, the posted code cells as code cells in their order, then a cell that loads " +
    "the grid with `BlockGrid.from_web('<id>')` (`secret=True` for a secret grid). A grid " +
    'posted without code cells gets the link and that cell.',
  svg:
    'The grid as vector rects with the geometry of its page (block sizes, 1 unit white lines ' +
    'when `lines_on`), one unit per block pixel; runs of one colour in a row are one rect. ' +
    'Grids over 250,000 blocks (imported ones) are drawn with bands of rows and columns ' +
    'showing their first block. Served with a Content-Security-Policy that allows no script.',
};

const CONTENT_TYPES: Record<Format, string> = {
  ipynb: NOTEBOOK_CONTENT_TYPE,
  svg: SVG_CONTENT_TYPE,
};

/** The OpenAPI description of `/<id>.<format>` (secret: `/secret/<id>.<format>`). */
export function ApiGridFormat(format: Format, secret: boolean) {
  const headers: Record<string, { schema: { type: 'string'; example?: string } }> = {
    ETag: { schema: { type: 'string' } },
    'Cache-Control': {
      schema: {
        type: 'string',
        example: GRID_CACHE_CONTROL,
      },
    },
  };
  if (format === 'ipynb') {
    headers['Content-Disposition'] = {
      schema: {
        type: 'string',
        example: `attachment; filename="ipythonblocks-${secret ? 'secret-MiXoi4' : 'bizkiL'}.ipynb"`,
      },
    };
  } else {
    headers['Content-Security-Policy'] = {
      schema: { type: 'string', example: SVG_CONTENT_SECURITY_POLICY },
    };
  }
  return applyDecorators(
    ApiOperation({
      summary: `${SUMMARIES[format]}${secret ? ' (secret grid)' : ''}`,
      description: DESCRIPTIONS[format],
    }),
    ApiParam({
      name: 'hashId',
      description: 'The grid id from its URL (a hashid, at least 6 letters and digits)',
      example: secret ? 'MiXoi4' : 'bizkiL',
    }),
    ApiProduces(CONTENT_TYPES[format]),
    ApiResponse({
      status: 200,
      description: `The grid as ${format === 'svg' ? 'SVG' : 'a notebook'}; made once, with an ETag.`,
      headers,
      content: { [CONTENT_TYPES[format]]: { schema: { type: 'string' } } },
    }),
    ApiResponse({ status: 304, description: 'Not modified (If-None-Match matched the ETag)' }),
    ApiResponse({
      status: 404,
      description: 'No grid with this id (or it is the other visibility), as an HTML page',
      content: { 'text/html': { schema: { type: 'string' } } },
    }),
    ApiResponse({
      status: 410,
      description: 'The grid was taken down by the site’s operator, as an HTML page',
      content: { 'text/html': { schema: { type: 'string' } } },
    }),
  );
}
