import { DISK_FULL_MESSAGE } from '../database/storage-monitor';
import type { Block, IpbClass } from '../grid-storage/grid-data';
import type { GridDataDto, GridPostDto } from './grid-post.dto';
import type { POST_LIMITS } from './grid-post.rules';

/**
 * The examples the OpenAPI document shows. Error bodies are copied from what the app really
 * answers (the exception filter's shape); test/e2e/api-docs.e2e-spec.ts posts EXAMPLE_POST_BODY to
 * the app so the documented request cannot drift from what is accepted.
 */

/** `grid_data` as the client sends it: `blocks` is rows of [red, green, blue, size]. */
export function clientGridData(blocks: Block[][], linesOn = true) {
  const width = blocks[0]?.length ?? 0;
  return { lines_on: linesOn, width, height: blocks.length, blocks } satisfies GridDataDto;
}

/**
 * The body `grid.post_to_web()` sends (as JSON, with no Content-Type header): the one place that
 * knows its fields, for the documented example, the tests' bodies and the benchmarks'. It is
 * held to the DTO's shape, so the two cannot drift apart.
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
  } satisfies Omit<GridPostDto, typeof POST_LIMITS>;
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

/** A remix of the example grid (`bizkiL`, as the example answer names it), as the playground posts it. */
export const EXAMPLE_REMIX_POST_BODY = {
  ...EXAMPLE_POST_BODY,
  code_cells: ["grid = BlockGrid.from_web('bizkiL')\ngrid[0, 1] = (0, 128, 255)\ngrid.show()"],
  grid_data: clientGridData([
    [
      [1, 2, 3, 20],
      [0, 128, 255, 20],
    ],
    [
      [0, 0, 0, 20],
      [255, 215, 0, 20],
    ],
  ]),
  remix_of: 'bizkiL',
};

export const EXAMPLE_URL_ANSWER = { url: 'http://www.ipythonblocks.org/bizkiL' };

export const EXAMPLE_SECRET_URL_ANSWER = { url: 'http://www.ipythonblocks.org/secret/MiXoi4' };

export const EXAMPLE_400_REMIX_OF = {
  statusCode: 400,
  error: 'Bad Request',
  message:
    'Invalid grid post: remix_of: must be "<hashid>" or "secret/<hashid>", the id of the grid this one remixes (got "http://www.ipythonblocks.org/bizkiL")',
  errors: [
    {
      field: 'remix_of',
      message:
        'must be "<hashid>" or "secret/<hashid>", the id of the grid this one remixes (got "http://www.ipythonblocks.org/bizkiL")',
    },
  ],
};

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

/** A grid the operator took down (`grid hide`): its row is kept, nothing of it is served. */
export const EXAMPLE_410 = {
  statusCode: 410,
  message: 'The grid "bizkiL" has been taken down',
  error: 'Gone',
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
