import type { ApiResponseOptions, SchemaObject } from '@nestjs/swagger';
import { DISK_FULL_MESSAGE } from '../database/storage-monitor';
import type { Block, IpbClass } from '../grid-storage/grid-data';

/**
 * The examples the OpenAPI document shows. Error bodies are copied from what the app really
 * answers (the exception filter's shape); test/api-docs.e2e-spec.ts posts EXAMPLE_POST_BODY to
 * the app so the documented request cannot drift from what is accepted.
 */

/** `grid_data` as the client sends it: `blocks` is rows of [red, green, blue, size]. */
export function clientGridData(blocks: Block[][], linesOn = true) {
  return { lines_on: linesOn, width: blocks[0]?.length ?? 0, height: blocks.length, blocks };
}

/**
 * The body `grid.post_to_web()` sends (as JSON, with no Content-Type header): the one place that
 * knows its fields, for the documented example, the tests' bodies and the benchmarks'.
 */
export function clientPostBody({
  blocks,
  codeCells,
  linesOn = true,
  ipbVersion = '1.10.dev',
  ipbClass = 'BlockGrid',
  secret = false,
}: {
  blocks: Block[][];
  codeCells: string[] | null;
  linesOn?: boolean;
  ipbVersion?: string;
  ipbClass?: IpbClass;
  secret?: boolean;
}) {
  return {
    python_version: [3, 11, 2, 'final', 0],
    ipb_version: ipbVersion,
    ipb_class: ipbClass,
    code_cells: codeCells,
    secret,
    grid_data: clientGridData(blocks, linesOn),
  };
}

/** What `grid.post_to_web()` sends for a 2x2 BlockGrid. */
export const EXAMPLE_POST_BODY = clientPostBody({
  ipbVersion: '1.9.0',
  codeCells: [
    'from ipythonblocks import BlockGrid',
    'grid = BlockGrid(2, 2, fill=(0, 0, 0))\ngrid[0, 0] = (1, 2, 3)\ngrid[1, 1] = (255, 215, 0)\ngrid.post_to_web()',
  ],
  blocks: [
    [
      [1, 2, 3, 20],
      [0, 0, 0, 20],
    ],
    [
      [0, 0, 0, 20],
      [255, 215, 0, 20],
    ],
  ],
});

export const EXAMPLE_GRID_DATA = EXAMPLE_POST_BODY.grid_data;

export const EXAMPLE_URL_ANSWER = { url: 'http://www.ipythonblocks.org/bizkiL' };

export const EXAMPLE_SECRET_URL_ANSWER = { url: 'http://www.ipythonblocks.org/secret/MiXoi4' };

export const EXAMPLE_400_FIELDS = {
  statusCode: 400,
  error: 'Bad Request',
  message:
    'Invalid grid post: python_version: must have exactly 5 items; ipb_class: must be BlockGrid or ImageGrid; secret: must be a boolean; grid_data.blocks[1][1][0]: must be an integer from 0 to 255',
  errors: [
    { field: 'python_version', message: 'must have exactly 5 items' },
    { field: 'ipb_class', message: 'must be BlockGrid or ImageGrid' },
    { field: 'secret', message: 'must be a boolean' },
    { field: 'grid_data.blocks[1][1][0]', message: 'must be an integer from 0 to 255' },
  ],
};

export const EXAMPLE_400_JSON = {
  statusCode: 400,
  message: 'The request body is not valid JSON: Unexpected end of JSON input',
  error: 'Bad Request',
};

export const EXAMPLE_404 = {
  statusCode: 404,
  message: 'No grid with id "zzzzzz"',
  error: 'Not Found',
};

/** The limit in the message is the configured MAX_BODY_BYTES (filled in when the document is built). */
export const EXAMPLE_413 = {
  statusCode: 413,
  message: 'The request body is larger than the limit of 8388608 bytes (MAX_BODY_BYTES)',
  error: 'Payload Too Large',
};

export const EXAMPLE_415 = {
  statusCode: 415,
  message: 'Unsupported Content-Encoding: unsupported content encoding "compress"',
  error: 'Unsupported Media Type',
};

/** The limit in the message is the configured POST_RATE_LIMIT (filled in when the document is built). */
export const EXAMPLE_429 = {
  statusCode: 429,
  error: 'Too Many Requests',
  message:
    'Too many posts from this address: at most 120 a minute (POST_RATE_LIMIT). Try again in 42 s.',
};

export const EXAMPLE_503 = {
  statusCode: 503,
  error: 'Service Unavailable',
  message: 'The database is unavailable; please try again shortly',
};

/** POST /post when COMMIT got no answer in time: the grid may or may not be stored. */
export const EXAMPLE_504 = {
  statusCode: 504,
  error: 'Gateway Timeout',
  message:
    'The database did not confirm in time that the grid was stored: it may or may not have been ' +
    'stored. Open http://www.ipythonblocks.org/bizkiL to see, before posting it again.',
  url: 'http://www.ipythonblocks.org/bizkiL',
};

export const EXAMPLE_503_STORAGE_FULL = {
  statusCode: 503,
  error: 'Service Unavailable',
  message: DISK_FULL_MESSAGE,
};

export const EXAMPLE_405 = {
  statusCode: 405,
  error: 'Method Not Allowed',
  message: 'POST a grid here, as grid.post_to_web() does; GET /get/<id> reads one back',
};

const UP = { status: 'up' } as const;

export const EXAMPLE_HEALTH_UP = {
  status: 'ok',
  info: { database: UP, schema: UP, storage: UP, process: UP },
  error: {},
  details: { database: UP, schema: UP, storage: UP, process: UP },
};

const DATABASE_DOWN = { status: 'down', message: 'no answer within 1000 ms' } as const;

export const EXAMPLE_HEALTH_DOWN = {
  statusCode: 503,
  status: 'error',
  info: { schema: UP, storage: UP, process: UP },
  error: { database: DATABASE_DOWN },
  details: { database: DATABASE_DOWN, schema: UP, storage: UP, process: UP },
};

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

const HEALTH_INDICATORS: SchemaObject = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['up', 'down'] },
      message: { type: 'string', description: 'What is wrong, when it is down' },
    },
  },
};

export const HEALTH_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: {
    statusCode: { type: 'integer', description: 'Only in the 503 answer' },
    status: {
      type: 'string',
      enum: ['ok', 'error', 'shutting_down'],
      description: '`shutting_down` once the process is draining after SIGTERM',
    },
    info: { ...HEALTH_INDICATORS, description: 'The indicators that are up' },
    error: { ...HEALTH_INDICATORS, description: 'The indicators that are down' },
    details: { ...HEALTH_INDICATORS, description: 'Every indicator' },
  },
};

export const HASH_ID_PARAM = {
  name: 'hashId',
  description: 'The grid id from its URL (a hashid, at least 6 letters and digits)',
  example: 'bizkiL',
};

export const NOT_FOUND_RESPONSE: ApiResponseOptions = {
  status: 404,
  description: 'No grid with this id (or it is the other visibility: public vs secret)',
  content: { 'application/json': { schema: ERROR_SCHEMA, example: EXAMPLE_404 } },
};

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
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['statusCode', 'message', 'url'],
        properties: {
          ...ERROR_SCHEMA.properties,
          url: {
            type: 'string',
            format: 'uri',
            description: 'Where the grid is, if it was stored',
          },
        },
      },
      example: EXAMPLE_504,
    },
  },
};

export const UNAVAILABLE_RESPONSE: ApiResponseOptions = {
  status: 503,
  description: 'The database is unreachable; retry after the Retry-After seconds',
  headers: { 'Retry-After': { schema: { type: 'integer', example: 5 } } },
  content: { 'application/json': { schema: ERROR_SCHEMA, example: EXAMPLE_503 } },
};

/**
 * POST /post's 503 always means "not stored" (unlike the 504 after COMMIT); it also meets a full
 * disk, which no Retry-After would be honest about.
 */
export const POST_UNAVAILABLE_RESPONSE: ApiResponseOptions = {
  status: 503,
  description:
    'Nothing was stored. The database was unreachable, or did not store the grid within ' +
    'DATABASE_STATEMENT_TIMEOUT_MS and the transaction was abandoned before COMMIT: posting ' +
    'again after Retry-After seconds cannot make a duplicate. Or its disk is full (no ' +
    'Retry-After: someone must free space).',
  headers: {
    'Retry-After': {
      description: 'Only while the database is unreachable',
      schema: { type: 'integer', example: 5 },
    },
  },
  content: {
    'application/json': {
      schema: ERROR_SCHEMA,
      examples: {
        unavailable: { summary: 'The database is unreachable', value: EXAMPLE_503 },
        storageFull: { summary: 'The disk is full', value: EXAMPLE_503_STORAGE_FULL },
      },
    },
  },
};
