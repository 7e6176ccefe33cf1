import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import type { GridLimits } from '../config/app-config';
import { REMIX_OF_PATTERN } from '../grid-lineage/remix-ref';
import type { Block, IpbClass, PythonVersion } from '../grid-storage/grid-data';
import {
  BlocksFitGrid,
  FitsCodeLimits,
  IsPresent,
  IsVersionParts,
  POST_LIMITS,
  Storable,
} from './grid-post.rules';

// What a post must be, said once. class-validator runs a property's rules from the bottom up
// and the first that fails names the property; the field rules (grid-post.rules.ts) list their
// own fields. The limits come from the configuration: see POST_LIMITS.

const REMIX_OF_MESSAGE = (args: ValidationArguments) =>
  'must be "<hashid>" or "secret/<hashid>", the id of the grid this one remixes ' +
  `(got ${describe(args.value)})`;

/** A value as a message quotes it: a short JSON, the type of anything long. */
function describe(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length <= 40 ? json : `a ${Array.isArray(value) ? 'list' : typeof value}`;
}

/** `grid_data`: the grid itself, stored as posted (unknown keys too). */
@ApiSchema({
  name: 'GridData',
  description:
    'The grid itself. It is stored as posted and `GET /get/{hashId}` serves it back unchanged. ' +
    '`width * height` is at most MAX_BLOCKS.',
})
export class GridDataDto {
  @ApiProperty({
    type: 'boolean',
    description: 'Whether lines are drawn between blocks',
    example: true,
  })
  @IsBoolean({ message: 'must be a boolean' })
  lines_on!: boolean;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Blocks per row', example: 2 })
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be at least 1' })
  width!: number;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Number of rows', example: 2 })
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be at least 1' })
  height!: number;

  @ApiProperty({
    type: 'array',
    description:
      'Exactly `height` rows of exactly `width` blocks, top row first. A block is ' +
      '`[red, green, blue, size]`: colours are integers 0..255, size is the block size in ' +
      'pixels, an integer from 1 to MAX_BLOCK_SIZE.',
    items: {
      type: 'array',
      description: 'One row: `width` blocks',
      items: {
        type: 'array',
        description: '[red, green, blue, size]',
        minItems: 4,
        maxItems: 4,
        items: { type: 'integer', minimum: 0 },
      },
    },
    example: [
      [
        [1, 2, 3, 20],
        [0, 0, 0, 20],
      ],
      [
        [0, 0, 0, 20],
        [255, 215, 0, 20],
      ],
    ],
  })
  // Each row and block is checked by BlocksFitGrid on grid_data, which knows width and height.
  @IsArray({ message: 'must be an array of rows' })
  blocks!: Block[][];
}

/** What `grid.post_to_web()` sends, validated like the legacy site plus consistency checks. */
@ApiSchema({
  name: 'GridPost',
  description:
    'What `grid.post_to_web()` sends. Every key is required (`code_cells` may be null). ' +
    'Unknown keys are ignored, so newer clients keep working.',
})
export class GridPostDto {
  declare [POST_LIMITS]: GridLimits;

  @ApiProperty({
    type: 'array',
    description:
      "The posting Python's `sys.version_info`: 5 items, integers or strings of at most 32 characters",
    minItems: 5,
    maxItems: 5,
    items: { oneOf: [{ type: 'integer' }, { type: 'string', maxLength: 32 }] },
    example: [3, 11, 2, 'final', 0],
  })
  @Storable()
  @IsArray({ message: 'must be an array of 5 items (sys.version_info)' })
  @ArrayMinSize(5, { message: 'must have exactly 5 items' })
  @ArrayMaxSize(5, { message: 'must have exactly 5 items' })
  @IsVersionParts()
  @IsPresent()
  python_version!: PythonVersion;

  @ApiProperty({
    type: 'string',
    description: 'The ipythonblocks version that posted',
    maxLength: 64,
    pattern: '^\\d+\\.\\d+',
    example: '1.9.0',
  })
  @Storable()
  @IsString({ message: 'must be a string' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  @Matches(/^\d+\.\d+/, { message: 'must look like a version number, e.g. 1.9.0' })
  @IsPresent()
  ipb_version!: string;

  @ApiProperty({
    type: 'string',
    enum: ['BlockGrid', 'ImageGrid'],
    description: 'The grid class that posted',
    example: 'BlockGrid',
  })
  @Storable()
  @IsIn(['BlockGrid', 'ImageGrid'], { message: 'must be BlockGrid or ImageGrid' })
  @IsPresent()
  ipb_class!: IpbClass;

  @ApiProperty({
    type: 'array',
    nullable: true,
    minItems: 1,
    items: { type: 'string' },
    description:
      'The notebook cells that made the grid, shown on its page: null, or 1 to MAX_CODE_CELLS ' +
      'strings of at most MAX_CODE_CELL_CHARS characters each, MAX_CODE_CHARS in all',
    example: ['from ipythonblocks import BlockGrid', 'grid = BlockGrid(2, 2)'],
  })
  @Storable()
  @FitsCodeLimits()
  @ValidateIf((post: GridPostDto) => post.code_cells !== null)
  @IsArray({ message: 'must be null or a non-empty array of strings' })
  @ArrayMinSize(1, { message: 'must be null or a non-empty array of strings' })
  @IsString({ each: true, message: 'must contain only strings' })
  @IsPresent()
  code_cells!: string[] | null;

  @ApiProperty({
    type: 'boolean',
    description: 'true: an unlisted grid, at `/secret/<id>`, never shown by /random',
    example: false,
  })
  @IsBoolean({ message: 'must be a boolean' })
  @IsPresent()
  secret!: boolean;

  @ApiProperty({
    type: 'string',
    required: false,
    nullable: true,
    pattern: REMIX_OF_PATTERN.source,
    description:
      'The grid this one remixes: `"<hashid>"` for a public grid, `"secret/<hashid>"` for a ' +
      'secret one (what its page URL ends with). Optional; absent or null when it remixes ' +
      'nothing. Any other type or form is a 400. An id that names no grid, or one that was ' +
      'taken down, is no error: the grid is stored without a parent. Without it, the parent is ' +
      'read from the code cells: the first `BlockGrid.from_web(...)` or ' +
      '`ImageGrid.from_web(...)` call with the id written out. Never part of `grid_data`: ' +
      '`GET /get/{hashId}` serves what was posted there.',
    example: 'aB3dE9',
  })
  @Matches(REMIX_OF_PATTERN, { message: REMIX_OF_MESSAGE })
  @IsString({ message: REMIX_OF_MESSAGE })
  @ValidateIf((post: GridPostDto) => post.remix_of !== undefined && post.remix_of !== null)
  remix_of?: string | null;

  @ApiProperty({ type: () => GridDataDto })
  @Storable('blocks')
  @BlocksFitGrid()
  @ValidateNested()
  @IsObject({ message: 'must be an object' })
  @IsPresent()
  grid_data!: GridDataDto;
}
