import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
  registerDecorator,
} from 'class-validator';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { isPlainObject } from '../common/is-plain-object';

/** Each `sys.version_info` item is a small integer or a short string such as "final". */
function IsVersionParts() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isVersionParts',
      target: target.constructor,
      propertyName,
      options: {
        message: (args: ValidationArguments) =>
          `${args.property} items must be integers or strings of at most 32 characters`,
      },
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.every(
            (item) => Number.isInteger(item) || (typeof item === 'string' && item.length <= 32),
          ),
      },
    });
}

/**
 * The scalar part of `grid_data`. The blocks matrix is checked by `checkBlocks`, a plain loop:
 * a photo ImageGrid has hundreds of thousands of blocks, too many for per-value decorators.
 */
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
  @IsBoolean({ message: 'lines_on must be a boolean' })
  lines_on!: unknown;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Blocks per row', example: 2 })
  @IsInt({ message: 'width must be an integer' })
  @Min(1, { message: 'width must be at least 1' })
  width!: unknown;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Number of rows', example: 2 })
  @IsInt({ message: 'height must be an integer' })
  @Min(1, { message: 'height must be at least 1' })
  height!: unknown;

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
  @IsArray({ message: 'blocks must be an array of rows' })
  blocks!: unknown;
}

/** What `grid.post_to_web()` sends, validated like the legacy site plus consistency checks. */
@ApiSchema({
  name: 'GridPost',
  description:
    'What `grid.post_to_web()` sends. Every key is required (`code_cells` may be null). ' +
    'Unknown keys are ignored, so newer clients keep working.',
})
export class GridPostDto {
  @ApiProperty({
    type: 'array',
    description:
      "The posting Python's `sys.version_info`: 5 items, integers or strings of at most 32 characters",
    minItems: 5,
    maxItems: 5,
    items: { oneOf: [{ type: 'integer' }, { type: 'string', maxLength: 32 }] },
    example: [3, 11, 2, 'final', 0],
  })
  @IsArray({ message: 'python_version must be an array of 5 items (sys.version_info)' })
  @ArrayMinSize(5, { message: 'python_version must have exactly 5 items' })
  @ArrayMaxSize(5, { message: 'python_version must have exactly 5 items' })
  @IsVersionParts()
  python_version!: unknown;

  @ApiProperty({
    type: 'string',
    description: 'The ipythonblocks version that posted',
    maxLength: 64,
    pattern: '^\\d+\\.\\d+',
    example: '1.9.0',
  })
  @IsString({ message: 'ipb_version must be a string' })
  @MaxLength(64, { message: 'ipb_version must be at most 64 characters' })
  @Matches(/^\d+\.\d+/, { message: 'ipb_version must look like a version number, e.g. 1.9.0' })
  ipb_version!: unknown;

  @ApiProperty({
    type: 'string',
    enum: ['BlockGrid', 'ImageGrid'],
    description: 'The grid class that posted',
    example: 'BlockGrid',
  })
  @IsIn(['BlockGrid', 'ImageGrid'], { message: 'ipb_class must be BlockGrid or ImageGrid' })
  ipb_class!: unknown;

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
  @ValidateIf((post: GridPostDto) => post.code_cells !== null)
  @IsArray({ message: 'code_cells must be null or a non-empty array of strings' })
  @ArrayMinSize(1, { message: 'code_cells must be null or a non-empty array of strings' })
  @IsString({ each: true, message: 'code_cells must contain only strings' })
  code_cells!: unknown;

  @ApiProperty({
    type: 'boolean',
    description: 'true: an unlisted grid, at `/secret/<id>`, never shown by /random',
    example: false,
  })
  @IsBoolean({ message: 'secret must be a boolean' })
  secret!: unknown;

  @ApiProperty({ type: () => GridDataDto })
  // Non-objects get one clear message from the pipe instead of class-validator's generic one.
  @ValidateIf((post: GridPostDto) => isPlainObject(post.grid_data))
  @ValidateNested()
  grid_data!: unknown;
}
