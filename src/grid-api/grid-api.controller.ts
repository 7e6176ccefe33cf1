import {
  applyDecorators,
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
import {
  ApiBody,
  ApiExtraModels,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  ERROR_SCHEMA,
  EXAMPLE_400_FIELDS,
  EXAMPLE_400_JSON,
  EXAMPLE_405,
  EXAMPLE_413,
  EXAMPLE_415,
  EXAMPLE_429,
  EXAMPLE_GRID_DATA,
  EXAMPLE_POST_BODY,
  EXAMPLE_SECRET_URL_ANSWER,
  EXAMPLE_URL_ANSWER,
  FIELD_ERRORS_SCHEMA,
  HASH_ID_PARAM,
  GONE_RESPONSE,
  NOT_FOUND_RESPONSE,
  NOT_MODIFIED_RESPONSE,
  OUTCOME_UNKNOWN_RESPONSE,
  POST_UNAVAILABLE_RESPONSE,
  UNAVAILABLE_RESPONSE,
} from './api-examples';
import { GRID_CACHE_CONTROL } from '../grid-pages/immutable-answer';
import { AppConfig } from '../config/app-config';
import type { Visibility } from '../grid-storage/grid-data';
import { GridDataDto, GridPostDto } from './grid-post.dto';
import { GridPost, GridPostPipe } from './grid-post.pipe';
import { GridAnswers } from '../grid-pages/grid-answers.service';
import { GridPublisher } from './grid-publisher';
import { JsonBodyInterceptor } from './json-body.interceptor';
import { shareableOrigin } from '../common/public-origin';

/** What both `/get` routes answer, for the OpenAPI document. */
function ApiGridDataResponses() {
  return applyDecorators(
    ApiResponse({
      status: 200,
      description:
        'The grid_data exactly as it was posted. It never changes, but can be taken down: ' +
        'cached for an hour, with an ETag.',
      headers: {
        'Cache-Control': { schema: { type: 'string', example: GRID_CACHE_CONTROL } },
        ETag: { schema: { type: 'string' } },
      },
      content: {
        'application/json': {
          schema: { $ref: getSchemaPath(GridDataDto) },
          example: EXAMPLE_GRID_DATA,
        },
      },
    }),
    ApiResponse(NOT_MODIFIED_RESPONSE),
    ApiResponse(NOT_FOUND_RESPONSE),
    ApiResponse(GONE_RESPONSE),
    ApiResponse(UNAVAILABLE_RESPONSE),
  );
}

/** The JSON API the installed ipythonblocks client speaks: post_to_web() and from_web(). */
@ApiTags('grids')
@ApiExtraModels(GridPostDto, GridDataDto)
@Controller()
export class GridsApiController {
  constructor(
    private readonly publisher: GridPublisher,
    private readonly answers: GridAnswers,
    private readonly config: AppConfig,
  ) {}

  @ApiOperation({
    summary: 'Share a grid (what grid.post_to_web() does)',
    description:
      'The body is read as JSON **whatever its Content-Type, and also without one**: the ' +
      'installed Python client sends no Content-Type header. Unknown keys are ignored, so newer ' +
      'clients keep working. Every failing field is named in the 400 answer and nothing is ' +
      'stored. Bodies larger than MAX_BODY_BYTES get a 413.',
  })
  @ApiBody({
    description:
      'The JSON the client sends. A Content-Type header is optional (none, or any value, is ' +
      'read as JSON); unknown keys are ignored.',
    required: true,
    schema: { $ref: getSchemaPath(GridPostDto) },
    examples: {
      blockGrid: { summary: 'A 2x2 BlockGrid with its code cells', value: EXAMPLE_POST_BODY },
    },
  })
  @ApiResponse({
    status: 200,
    description:
      'Stored: the URL of its page, `<origin>/<id>`, or `<origin>/secret/<id>` for a secret grid',
    headers: { 'Cache-Control': { schema: { type: 'string', example: 'no-store' } } },
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['url'],
          properties: { url: { type: 'string', format: 'uri' } },
        },
        examples: {
          public: { summary: 'A public grid', value: EXAMPLE_URL_ANSWER },
          secret: { summary: 'A secret grid', value: EXAMPLE_SECRET_URL_ANSWER },
        },
      },
    },
  })
  @ApiResponse({
    status: 400,
    description:
      'The body is empty, not UTF-8, not JSON, nested deeper than 16 levels, or has invalid ' +
      'fields (each one listed in `errors`), including any stored string holding U+0000 or a ' +
      'lone UTF-16 surrogate, which Postgres cannot store. Without PUBLIC_URL (development), ' +
      'also a missing or malformed Host header: the URL cannot be made. Nothing is stored.',
    content: {
      'application/json': {
        schema: FIELD_ERRORS_SCHEMA,
        examples: {
          invalidFields: { summary: 'Invalid fields', value: EXAMPLE_400_FIELDS },
          invalidJson: { summary: 'Not JSON', value: EXAMPLE_400_JSON },
        },
      },
    },
  })
  @ApiResponse({
    status: 413,
    description: 'The body is larger than MAX_BODY_BYTES',
    content: { 'application/json': { schema: ERROR_SCHEMA, example: EXAMPLE_413 } },
  })
  @ApiResponse({
    status: 415,
    description: 'The body has a Content-Encoding other than gzip, deflate, br or identity',
    content: { 'application/json': { schema: ERROR_SCHEMA, example: EXAMPLE_415 } },
  })
  @ApiResponse({
    status: 429,
    description: 'More than POST_RATE_LIMIT posts a minute from this client address',
    headers: { 'Retry-After': { schema: { type: 'integer', example: 42 } } },
    content: { 'application/json': { schema: ERROR_SCHEMA, example: EXAMPLE_429 } },
  })
  @ApiResponse(POST_UNAVAILABLE_RESPONSE)
  @ApiResponse(OUTCOME_UNKNOWN_RESPONSE)
  @Post('post')
  @UseGuards(ThrottlerGuard)
  @UseInterceptors(JsonBodyInterceptor)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async post(@Body(GridPostPipe) post: GridPost, @Req() req: Request): Promise<{ url: string }> {
    return { url: await this.publisher.publish(post, shareableOrigin(this.config.publicUrl, req)) };
  }

  /** A browser opening the client's endpoint learns what it is for, instead of a grid 404. */
  @ApiOperation({
    summary: 'Not allowed: POST here',
    description: 'A browser opening the endpoint learns what it is for.',
  })
  @ApiResponse({
    status: 405,
    description: 'Only POST is allowed',
    headers: { Allow: { schema: { type: 'string', example: 'POST' } } },
    content: { 'application/json': { schema: ERROR_SCHEMA, example: EXAMPLE_405 } },
  })
  @Get('post')
  @Header('Allow', 'POST')
  postWithGet(): never {
    throw new HttpException(
      'POST a grid here, as grid.post_to_web() does; GET /get/<id> reads one back',
      HttpStatus.METHOD_NOT_ALLOWED,
    );
  }

  @ApiOperation({
    summary: 'Read a public grid back (what BlockGrid.from_web(id) does)',
  })
  @ApiParam(HASH_ID_PARAM)
  @ApiGridDataResponses()
  @Get('get/:hashId')
  getPublic(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.send('public', hashId, req, res);
  }

  @ApiOperation({
    summary: 'Read a secret grid back (BlockGrid.from_web(id, secret=True))',
  })
  @ApiParam({ ...HASH_ID_PARAM, example: 'MiXoi4' })
  @ApiGridDataResponses()
  @Get('get/secret/:hashId')
  getSecret(@Param('hashId') hashId: string, @Req() req: Request, @Res() res: Response) {
    return this.send('secret', hashId, req, res);
  }

  private async send(visibility: Visibility, hashId: string, req: Request, res: Response) {
    const answer = await this.answers.json(visibility, hashId);
    await answer.send(req, res, GRID_CACHE_CONTROL);
  }
}
