import type {
  ApiResponseOptions,
  ExampleObject,
  MediaTypeObject,
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger';
import {
  EXAMPLE_404,
  EXAMPLE_410,
  EXAMPLE_503,
  EXAMPLE_503_STORAGE_FULL,
  EXAMPLE_504,
} from './api-examples';

/** The schemas and shared answers of the OpenAPI document (see grid-api.docs.ts). */

/** What a documented answer shows: one example, or several by name. */
type Shown = { example: unknown } | { examples: Record<string, ExampleObject> };

/** The `content` of a JSON answer: its schema and what it shows. */
export function jsonContent(
  schema: SchemaObject | ReferenceObject,
  shown: Shown,
): Record<string, MediaTypeObject> {
  return { 'application/json': { schema, ...shown } };
}

/** The JSON error body every API route answers with (see AllExceptionsFilter). */
export const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'message'],
  properties: {
    statusCode: { type: 'integer', description: 'The HTTP status, repeated' },
    error: { type: 'string', description: 'The status text' },
    message: { type: 'string', description: 'What went wrong, for a person' },
  },
};

/** A 400 for a body that parsed but failed validation: one entry per failing field. */
export const FIELD_ERRORS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'message'],
  properties: {
    ...ERROR_SCHEMA.properties,
    errors: {
      type: 'array',
      description:
        'Present when the JSON parsed but fields are invalid: every failing field, with a path ' +
        'such as `grid_data.blocks[1][1][0]`',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

type Headers = NonNullable<Extract<ApiResponseOptions, { headers?: unknown }>['headers']>;

/** An error answer: the JSON error body, what it shows, and its headers if any. */
export function errorResponse(
  status: number,
  description: string,
  shown: Shown,
  headers?: Headers,
): ApiResponseOptions {
  return {
    status,
    description,
    ...(headers && { headers }),
    content: jsonContent(ERROR_SCHEMA, shown),
  };
}

export const HASH_ID_PARAM = {
  name: 'hashId',
  description: 'The grid id from its URL (a hashid, at least 6 letters and digits)',
  example: 'bizkiL',
};

export const NOT_FOUND_RESPONSE = errorResponse(
  404,
  'No grid with this id (or it is the other visibility: public vs secret)',
  { example: EXAMPLE_404 },
);

export const GONE_RESPONSE = errorResponse(410, 'The grid was taken down by the site’s operator', {
  example: EXAMPLE_410,
});

export const NOT_MODIFIED_RESPONSE: ApiResponseOptions = {
  status: 304,
  description: 'Not modified: the If-None-Match header matched the ETag',
};

export const OUTCOME_UNKNOWN_RESPONSE: ApiResponseOptions = {
  status: 504,
  description:
    'The grid was sent to the database with its COMMIT, and no answer came in time (or the ' +
    'connection died): it may or may not have been stored. `url` is the page it has if it was ' +
    'stored: open it (or `GET /get/{hashId}`) before posting again, which could store it twice. ' +
    'No Retry-After.',
  content: jsonContent(
    {
      type: 'object',
      required: ['statusCode', 'message', 'url'],
      properties: {
        ...ERROR_SCHEMA.properties,
        url: { type: 'string', format: 'uri', description: 'Where the grid is, if it was stored' },
      },
    },
    { example: EXAMPLE_504 },
  ),
};

export const UNAVAILABLE_RESPONSE = errorResponse(
  503,
  'The database is unreachable; retry after the Retry-After seconds',
  { example: EXAMPLE_503 },
  { 'Retry-After': { schema: { type: 'integer', example: 5 } } },
);

/**
 * POST /post's 503 always means "not stored" (unlike the 504 after COMMIT); it also meets a full
 * disk, which no Retry-After would be honest about.
 */
export const POST_UNAVAILABLE_RESPONSE = errorResponse(
  503,
  'Nothing was stored. The database was unreachable, or did not store the grid within ' +
    'DATABASE_STATEMENT_TIMEOUT_MS and the transaction was abandoned before COMMIT: posting ' +
    'again after Retry-After seconds cannot make a duplicate. Or its disk is full (no ' +
    'Retry-After: someone must free space).',
  {
    examples: {
      unavailable: { summary: 'The database is unreachable', value: EXAMPLE_503 },
      storageFull: { summary: 'The disk is full', value: EXAMPLE_503_STORAGE_FULL },
    },
  },
  {
    'Retry-After': {
      description: 'Only while the database is unreachable',
      schema: { type: 'integer', example: 5 },
    },
  },
);
