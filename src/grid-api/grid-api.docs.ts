import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiExtraModels,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { GRID_CACHE_CONTROL } from '../grid-pages/immutable-answer';
import type { Visibility } from '../grid-storage/grid-data';
import {
  EXAMPLE_400_FIELDS,
  EXAMPLE_400_JSON,
  EXAMPLE_400_REMIX_OF,
  EXAMPLE_405,
  EXAMPLE_413,
  EXAMPLE_415,
  EXAMPLE_429,
  EXAMPLE_GRID_DATA,
  EXAMPLE_POST_BODY,
  EXAMPLE_REMIX_POST_BODY,
  EXAMPLE_SECRET_URL_ANSWER,
  EXAMPLE_URL_ANSWER,
} from './api-examples';
import {
  errorResponse,
  FIELD_ERRORS_SCHEMA,
  GONE_RESPONSE,
  HASH_ID_PARAM,
  jsonContent,
  NOT_FOUND_RESPONSE,
  NOT_MODIFIED_RESPONSE,
  OUTCOME_UNKNOWN_RESPONSE,
  POST_UNAVAILABLE_RESPONSE,
  UNAVAILABLE_RESPONSE,
} from './api-responses';
import { GridDataDto, GridPostDto } from './grid-post.dto';

/**
 * The OpenAPI document's part for the client API, one composed decorator per route, so the
 * controller reads as routing. The limits in it are filled in when the document is built
 * (api-docs.ts), from the configuration.
 */

/** The controller's tag, and the schemas its routes refer to. */
export const ApiGridsController = () =>
  applyDecorators(ApiTags('grids'), ApiExtraModels(GridPostDto, GridDataDto));

/** `POST /post`: what grid.post_to_web() sends, and every answer it can get. */
export function ApiPostGrid() {
  return applyDecorators(
    ApiOperation({
      summary: 'Share a grid (what grid.post_to_web() does)',
      description:
        'The body is read as JSON **whatever its Content-Type, and also without one**: the ' +
        'installed Python client sends no Content-Type header. Unknown keys are ignored, so ' +
        'newer clients keep working. Every failing field is named in the 400 answer and nothing ' +
        'is stored. Bodies larger than MAX_BODY_BYTES get a 413. A remix names the grid it ' +
        'came from in `remix_of` (or calls `from_web` on it in its code cells): both pages ' +
        'show the link (a public page never names a secret grid).',
    }),
    ApiBody({
      description:
        'The JSON the client sends. A Content-Type header is optional (none, or any value, is ' +
        'read as JSON); unknown keys are ignored.',
      required: true,
      schema: { $ref: getSchemaPath(GridPostDto) },
      examples: {
        blockGrid: { summary: 'A 2x2 BlockGrid with its code cells', value: EXAMPLE_POST_BODY },
        remix: {
          summary: 'A remix of grid bizkiL (remix_of: its page lists this one)',
          value: EXAMPLE_REMIX_POST_BODY,
        },
      },
    }),
    ApiResponse({
      status: 200,
      description:
        'Stored: the URL of its page, `<origin>/<id>`, or `<origin>/secret/<id>` for a secret grid',
      headers: { 'Cache-Control': { schema: { type: 'string', example: 'no-store' } } },
      content: jsonContent(
        {
          type: 'object',
          required: ['url'],
          properties: { url: { type: 'string', format: 'uri' } },
        },
        {
          examples: {
            public: { summary: 'A public grid', value: EXAMPLE_URL_ANSWER },
            secret: { summary: 'A secret grid', value: EXAMPLE_SECRET_URL_ANSWER },
          },
        },
      ),
    }),
    ApiResponse({
      status: 400,
      description:
        'The body is empty, not UTF-8, not JSON, nested deeper than 16 levels, or has invalid ' +
        'fields (each one listed in `errors`), including any stored string holding U+0000 or a ' +
        'lone UTF-16 surrogate, which Postgres cannot store. Without PUBLIC_URL (development), ' +
        'also a missing or malformed Host header: the URL cannot be made. Nothing is stored.',
      content: jsonContent(FIELD_ERRORS_SCHEMA, {
        examples: {
          invalidFields: { summary: 'Invalid fields', value: EXAMPLE_400_FIELDS },
          invalidJson: { summary: 'Not JSON', value: EXAMPLE_400_JSON },
          invalidRemixOf: {
            summary: 'remix_of that is not a grid id',
            value: EXAMPLE_400_REMIX_OF,
          },
        },
      }),
    }),
    ApiResponse(
      errorResponse(413, 'The body is larger than MAX_BODY_BYTES', { example: EXAMPLE_413 }),
    ),
    ApiResponse(
      errorResponse(
        415,
        'The body has a Content-Encoding other than gzip, deflate, br or identity',
        { example: EXAMPLE_415 },
      ),
    ),
    ApiResponse(
      errorResponse(
        429,
        'More than POST_RATE_LIMIT posts a minute from this client address',
        { example: EXAMPLE_429 },
        { 'Retry-After': { schema: { type: 'integer', example: 42 } } },
      ),
    ),
    ApiResponse(POST_UNAVAILABLE_RESPONSE),
    ApiResponse(OUTCOME_UNKNOWN_RESPONSE),
  );
}

/** `GET /post`: a browser opening the client's endpoint learns what it is for. */
export function ApiPostWithGet() {
  return applyDecorators(
    ApiOperation({
      summary: 'Not allowed: POST here',
      description: 'A browser opening the endpoint learns what it is for.',
    }),
    ApiResponse(
      errorResponse(
        405,
        'Only POST is allowed',
        { example: EXAMPLE_405 },
        { Allow: { schema: { type: 'string', example: 'POST' } } },
      ),
    ),
  );
}

/** `GET /get/{hashId}` and `GET /get/secret/{hashId}`: what from_web() reads. */
export function ApiGetGrid(visibility: Visibility) {
  const secret = visibility === 'secret';
  return applyDecorators(
    ApiOperation({
      summary: secret
        ? 'Read a secret grid back (BlockGrid.from_web(id, secret=True))'
        : 'Read a public grid back (what BlockGrid.from_web(id) does)',
    }),
    ApiParam(secret ? { ...HASH_ID_PARAM, example: 'MiXoi4' } : HASH_ID_PARAM),
    ApiResponse({
      status: 200,
      description:
        'The grid_data exactly as it was posted. It never changes, but can be taken down: ' +
        'cached for an hour, with an ETag.',
      headers: {
        'Cache-Control': { schema: { type: 'string', example: GRID_CACHE_CONTROL } },
        ETag: { schema: { type: 'string' } },
      },
      content: jsonContent({ $ref: getSchemaPath(GridDataDto) }, { example: EXAMPLE_GRID_DATA }),
    }),
    ApiResponse(NOT_MODIFIED_RESPONSE),
    ApiResponse(NOT_FOUND_RESPONSE),
    ApiResponse(GONE_RESPONSE),
    ApiResponse(UNAVAILABLE_RESPONSE),
  );
}
