import { ValidateBy, type ValidationArguments } from 'class-validator';
import { isPlainObject } from '../common/is-plain-object';
import { fieldPath, unstorableStrings } from '../common/storable-text';
import type { GridLimits } from '../config/app-config';

/** One failing field of a post: `code_cells[2]`, `grid_data.blocks[7][3][2]`. */
export interface FieldError {
  field: string;
  message: string;
}

/** Past this many errors of one kind, the rest are counted or left out, not listed. */
export const MAX_REPORTED_ERRORS = 20;

/**
 * Where a post carries the limits it is held to. They come from the configuration, so the pipe
 * puts them on the post it validates (under a symbol, which no JSON body can set) and the rules
 * read them from there: no global container, and the worker thread runs the same DTO with the
 * limits its task was sent.
 */
export const POST_LIMITS = Symbol('post limits');

/**
 * A rule whose failures name their own fields, several at once (`code_cells[2]`,
 * `grid_data.blocks[7][3][2]`), where class-validator keeps one message per property:
 * class-validator records that the rule failed, and the pipe asks the rule for the list.
 */
export interface FieldRule {
  /** Its errors are listed after those of the rules of lower rank (the order posts have always had). */
  rank: number;
  /** Listed only when the nested DTO it looks at passed its own rules (it measures by them). */
  afterNested?: boolean;
  /** Every failure under `value`, named from `field`, the path of the validated property. */
  problems(value: unknown, limits: GridLimits, field: string): FieldError[];
}

/** The order of the groups in a 400: missing keys, wrong properties, then the field rules'. */
export const MISSING_RANK = 0;
export const PLAIN_RANK = 1;
const BLOCKS_RANK = 2;
const CODE_RANK = 3;
export const STORABLE_RANK = 4;

/** The field rules by constraint name: what the pipe looks up in class-validator's errors. */
export const FIELD_RULES = new Map<string, FieldRule>();

function fieldRule(name: string, rule: FieldRule): PropertyDecorator {
  FIELD_RULES.set(name, rule);
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const limits = (args?.object as { [POST_LIMITS]?: GridLimits })[POST_LIMITS];
        if (!limits) throw new Error(`${name} needs the post's limits: validate it with its pipe`);
        return rule.problems(value, limits, args?.property ?? '').length === 0;
      },
    },
  });
}

/** The constraint of a missing key: its errors are listed first. */
export const IS_PRESENT = 'isPresent';

/** Every stored key must be sent: `null` is a value (code_cells), a missing key is not. */
export function IsPresent(): PropertyDecorator {
  return ValidateBy(
    { name: IS_PRESENT, validator: { validate: (value: unknown) => value !== undefined } },
    { message: 'is required' },
  );
}

/** Each `sys.version_info` item is a small integer or a short string such as "final". */
export function IsVersionParts(): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isVersionParts',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.every(
            (item) => Number.isInteger(item) || (typeof item === 'string' && item.length <= 32),
          ),
      },
    },
    { message: 'items must be integers or strings of at most 32 characters' },
  );
}

/**
 * No string Postgres cannot store (U+0000, a lone surrogate), as a value or a key, anywhere
 * under the property. `except` is a key not walked: `blocks` holds nothing but integers once
 * BlocksFitGrid passes, so a photo's 250,000 blocks cost nothing here.
 */
export function Storable(except?: string): PropertyDecorator {
  return fieldRule(except ? `storableExcept_${except}` : 'storable', {
    rank: STORABLE_RANK,
    problems(value, _limits, field) {
      if (except !== undefined) {
        // A value that is not an object is refused for that, and not stored.
        if (!isPlainObject(value)) return [];
        value = { ...value, [except]: null };
      }
      const found: FieldError[] = [];
      for (const error of unstorableStrings(value, field)) {
        found.push(error);
        if (found.length === MAX_REPORTED_ERRORS) break;
      }
      return found;
    },
  });
}

/** MAX_CODE_CELLS cells, MAX_CODE_CELL_CHARS characters in one, MAX_CODE_CHARS in all. */
export function FitsCodeLimits(): PropertyDecorator {
  return fieldRule('fitsCodeLimits', {
    rank: CODE_RANK,
    problems(cells, limits, field) {
      if (!Array.isArray(cells)) return [];
      const errors: FieldError[] = [];
      if (cells.length > limits.maxCodeCells) {
        errors.push({
          field,
          message: `at most ${limits.maxCodeCells} code cells are accepted (MAX_CODE_CELLS)`,
        });
      }
      let total = 0;
      cells.forEach((cell: unknown, i) => {
        if (typeof cell !== 'string') return;
        total += cell.length;
        if (cell.length > limits.maxCodeCellChars) {
          errors.push({
            field: fieldPath(field, i),
            message: `is longer than ${limits.maxCodeCellChars} characters (MAX_CODE_CELL_CHARS)`,
          });
        }
      });
      if (total > limits.maxCodeChars) {
        errors.push({
          field,
          message: `hold ${total} characters in all, more than ${limits.maxCodeChars} (MAX_CODE_CHARS)`,
        });
      }
      return errors;
    },
  });
}

const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1;

/**
 * `blocks` is exactly `height` rows of `width` blocks of [r, g, b, size], and the grid is within
 * MAX_BLOCKS and MAX_BLOCK_SIZE. A plain loop, not per-value decorators: a photo ImageGrid has
 * hundreds of thousands of blocks. It measures against `width` and `height`, so what it finds
 * is listed once the grid's own rules pass (GridDataDto names what is wrong otherwise).
 */
export function BlocksFitGrid(): PropertyDecorator {
  return fieldRule('blocksFitGrid', {
    rank: BLOCKS_RANK,
    afterNested: true,
    problems(grid, limits, field) {
      if (!isPlainObject(grid)) return [];
      const { width, height, blocks } = grid;
      if (!isCount(width) || !isCount(height) || !Array.isArray(blocks)) return [];
      if (width * height > limits.maxBlocks) {
        return [
          {
            field,
            message: `${width}x${height} is ${width * height} blocks, more than the limit of ${limits.maxBlocks} (MAX_BLOCKS)`,
          },
        ];
      }
      return blockProblems(blocks, width, height, limits.maxBlockSize, fieldPath(field, 'blocks'));
    },
  });
}

function blockProblems(
  blocks: unknown[],
  width: number,
  height: number,
  maxBlockSize: number,
  field: string,
): FieldError[] {
  const errors: FieldError[] = [];
  let hidden = 0;
  const report = (at: string, message: string) => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ field: at, message });
    else hidden++;
  };
  if (blocks.length !== height) report(field, `has ${blocks.length} rows but height is ${height}`);
  const rows = Math.min(blocks.length, height);
  for (let r = 0; r < rows; r++) {
    const row = blocks[r];
    if (!Array.isArray(row)) {
      report(`${field}[${r}]`, 'must be an array of blocks');
      continue;
    }
    if (row.length !== width)
      report(`${field}[${r}]`, `has ${row.length} blocks but width is ${width}`);
    const cols = Math.min(row.length, width);
    for (let c = 0; c < cols; c++) {
      const block: unknown = row[c];
      if (!Array.isArray(block) || block.length !== 4) {
        report(`${field}[${r}][${c}]`, 'must be [red, green, blue, size]');
        continue;
      }
      for (let k = 0; k < 3; k++) {
        const v: unknown = block[k];
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 255) {
          report(`${field}[${r}][${c}][${k}]`, 'must be an integer from 0 to 255');
        }
      }
      const size: unknown = block[3];
      if (!Number.isInteger(size) || (size as number) < 1) {
        report(`${field}[${r}][${c}][3]`, 'block size must be an integer of at least 1');
      } else if ((size as number) > maxBlockSize) {
        report(
          `${field}[${r}][${c}][3]`,
          `block size must be at most ${maxBlockSize} (MAX_BLOCK_SIZE)`,
        );
      }
    }
  }
  if (hidden > 0) errors.push({ field, message: `and ${hidden} more invalid blocks` });
  return errors;
}
