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
export class GridDataDto {
  @IsBoolean({ message: 'lines_on must be a boolean' })
  lines_on!: unknown;

  @IsInt({ message: 'width must be an integer' })
  @Min(1, { message: 'width must be at least 1' })
  width!: unknown;

  @IsInt({ message: 'height must be an integer' })
  @Min(1, { message: 'height must be at least 1' })
  height!: unknown;

  @IsArray({ message: 'blocks must be an array of rows' })
  blocks!: unknown;
}

/** What `grid.post_to_web()` sends, validated like the legacy site plus consistency checks. */
export class GridPostDto {
  @IsArray({ message: 'python_version must be an array of 5 items (sys.version_info)' })
  @ArrayMinSize(5, { message: 'python_version must have exactly 5 items' })
  @ArrayMaxSize(5, { message: 'python_version must have exactly 5 items' })
  @IsVersionParts()
  python_version!: unknown;

  @IsString({ message: 'ipb_version must be a string' })
  @MaxLength(64, { message: 'ipb_version must be at most 64 characters' })
  @Matches(/^\d+\.\d+/, { message: 'ipb_version must look like a version number, e.g. 1.9.0' })
  ipb_version!: unknown;

  @IsIn(['BlockGrid', 'ImageGrid'], { message: 'ipb_class must be BlockGrid or ImageGrid' })
  ipb_class!: unknown;

  @ValidateIf((post: GridPostDto) => post.code_cells !== null)
  @IsArray({ message: 'code_cells must be null or a non-empty array of strings' })
  @ArrayMinSize(1, { message: 'code_cells must be null or a non-empty array of strings' })
  @IsString({ each: true, message: 'code_cells must contain only strings' })
  code_cells!: unknown;

  @IsBoolean({ message: 'secret must be a boolean' })
  secret!: unknown;

  // Non-objects get one clear message from the pipe instead of class-validator's generic one.
  @ValidateIf((post: GridPostDto) => isPlainObject(post.grid_data))
  @ValidateNested()
  grid_data!: unknown;
}
