import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { validate, ValidationError } from 'class-validator';
import { isPlainObject } from '../common/is-plain-object';
import { unstorableStrings } from '../common/storable-text';
import { AppConfig, GridLimits } from '../config/app-config';
import type { GridData, IpbClass, PythonVersion } from '../grid-storage/grid-data';
import { GridDataDto, GridPostDto } from './grid-post.dto';

/** A post that passed validation, in the app's own terms. */
export interface GridPost {
  pythonVersion: PythonVersion;
  ipbVersion: string;
  ipbClass: IpbClass;
  codeCells: string[] | null;
  secret: boolean;
  /** The posted grid_data as JSON text, so `/get` serves back exactly what was sent. */
  gridDataJson: string;
}

export interface FieldError {
  field: string;
  message: string;
}

/** Past this many errors of one kind, the rest are counted or left out, not listed. */
const MAX_REPORTED_ERRORS = 20;

const REQUIRED_KEYS = [
  'python_version',
  'ipb_version',
  'ipb_class',
  'code_cells',
  'secret',
  'grid_data',
] as const;

export class InvalidGridPostException extends BadRequestException {
  constructor(readonly errors: FieldError[]) {
    super({
      statusCode: 400,
      error: 'Bad Request',
      message: `Invalid grid post: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
      errors,
    });
  }
}

/**
 * A body checked on the grid worker thread (big bodies, see JsonBodyInterceptor): the same checks
 * as the pipe's, done where parsing megabytes of JSON cannot stall the server.
 */
export class CheckedGridPost {
  constructor(readonly post: GridPost) {}
}

@Injectable()
export class GridPostPipe implements PipeTransform<unknown, Promise<GridPost>> {
  constructor(private readonly config: AppConfig) {}

  async transform(body: unknown): Promise<GridPost> {
    if (body instanceof CheckedGridPost) return body.post;
    const checked = await checkGridPost(body, this.config.limits);
    if ('errors' in checked) throw new InvalidGridPostException(checked.errors);
    return checked.post;
  }
}

/** The post in the app's terms, or every reason it is refused. */
export async function checkGridPost(
  body: unknown,
  limits: GridLimits,
): Promise<{ post: GridPost } | { errors: FieldError[] }> {
  if (!isPlainObject(body)) {
    return { errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  }
  const errors = await validateGridPost(body, limits);
  if (errors.length > 0) return { errors };
  return {
    post: {
      pythonVersion: body.python_version as PythonVersion,
      ipbVersion: body.ipb_version as string,
      ipbClass: body.ipb_class as IpbClass,
      codeCells: body.code_cells as string[] | null,
      secret: body.secret as boolean,
      gridDataJson: JSON.stringify(body.grid_data),
    },
  };
}

export async function validateGridPost(
  body: Record<string, unknown>,
  limits: GridLimits,
): Promise<FieldError[]> {
  // Only the known keys are copied: unknown keys from future clients are ignored, not rejected.
  const dto = Object.assign(new GridPostDto(), {
    python_version: body.python_version,
    ipb_version: body.ipb_version,
    ipb_class: body.ipb_class,
    code_cells: body.code_cells,
    secret: body.secret,
    grid_data: body.grid_data,
  });
  const grid = body.grid_data;
  if (isPlainObject(grid)) {
    dto.grid_data = Object.assign(new GridDataDto(), {
      lines_on: grid.lines_on,
      width: grid.width,
      height: grid.height,
      blocks: grid.blocks,
    });
  }
  const missing: string[] = REQUIRED_KEYS.filter((key) => body[key] === undefined);
  const errors: FieldError[] = missing.map((field) => ({ field, message: 'is required' }));
  const checked = await validate(dto, { forbidUnknownValues: false, stopAtFirstError: true });
  errors.push(...flatten(checked.filter((e) => !missing.includes(e.property))));
  if (isPlainObject(grid)) {
    if (!errors.some((e) => e.field.startsWith('grid_data'))) {
      errors.push(...checkBlocks(grid as unknown as GridData, limits));
    }
  } else if (grid !== undefined) {
    errors.push({ field: 'grid_data', message: 'must be an object' });
  }
  if (Array.isArray(body.code_cells)) {
    errors.push(...checkCodeCellLimits(body.code_cells, limits));
  }
  errors.push(...checkStorable(body));
  return errors;
}

/**
 * Strings Postgres cannot store, anywhere in what gets stored: the known keys, and grid_data
 * whole (its unknown keys are stored too). Unknown top-level keys are not stored, so not looked
 * at. `blocks` is skipped: it is stored only when `checkBlocks` found nothing but integers in it,
 * so a photo's 250,000 blocks cost nothing here.
 */
function checkStorable(body: Record<string, unknown>): FieldError[] {
  const grid = isPlainObject(body.grid_data) ? { ...body.grid_data, blocks: null } : null;
  const sources: [string, unknown][] = [
    ['python_version', body.python_version],
    ['ipb_version', body.ipb_version],
    ['ipb_class', body.ipb_class],
    ['code_cells', body.code_cells],
    ['grid_data', grid],
  ];
  const errors: FieldError[] = [];
  for (const [field, value] of sources) {
    for (const found of unstorableStrings(value, field)) {
      if (errors.length === MAX_REPORTED_ERRORS) return errors;
      errors.push(found);
    }
  }
  return errors;
}

function checkCodeCellLimits(cells: unknown[], limits: GridLimits): FieldError[] {
  const errors: FieldError[] = [];
  if (cells.length > limits.maxCodeCells) {
    errors.push({
      field: 'code_cells',
      message: `at most ${limits.maxCodeCells} code cells are accepted (MAX_CODE_CELLS)`,
    });
  }
  let total = 0;
  cells.forEach((cell, i) => {
    if (typeof cell !== 'string') return;
    total += cell.length;
    if (cell.length > limits.maxCodeCellChars) {
      errors.push({
        field: `code_cells[${i}]`,
        message: `is longer than ${limits.maxCodeCellChars} characters (MAX_CODE_CELL_CHARS)`,
      });
    }
  });
  if (total > limits.maxCodeChars) {
    errors.push({
      field: 'code_cells',
      message: `hold ${total} characters in all, more than ${limits.maxCodeChars} (MAX_CODE_CHARS)`,
    });
  }
  return errors;
}

/** `blocks` must be exactly `height` rows of `width` blocks of [r, g, b, size]. */
export function checkBlocks(grid: GridData, limits: GridLimits): FieldError[] {
  const { width, height, blocks } = grid;
  if (width * height > limits.maxBlocks) {
    return [
      {
        field: 'grid_data',
        message: `${width}x${height} is ${width * height} blocks, more than the limit of ${limits.maxBlocks} (MAX_BLOCKS)`,
      },
    ];
  }
  const errors: FieldError[] = [];
  let hidden = 0;
  const report = (field: string, message: string) => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ field, message });
    else hidden++;
  };
  if (blocks.length !== height) {
    report('grid_data.blocks', `has ${blocks.length} rows but height is ${height}`);
  }
  const rows = Math.min(blocks.length, height);
  for (let r = 0; r < rows; r++) {
    const row = blocks[r] as unknown;
    if (!Array.isArray(row)) {
      report(`grid_data.blocks[${r}]`, 'must be an array of blocks');
      continue;
    }
    if (row.length !== width) {
      report(`grid_data.blocks[${r}]`, `has ${row.length} blocks but width is ${width}`);
    }
    const cols = Math.min(row.length, width);
    for (let c = 0; c < cols; c++) {
      const block = row[c] as unknown;
      if (!Array.isArray(block) || block.length !== 4) {
        report(`grid_data.blocks[${r}][${c}]`, 'must be [red, green, blue, size]');
        continue;
      }
      for (let k = 0; k < 3; k++) {
        const v = block[k] as unknown;
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 255) {
          report(`grid_data.blocks[${r}][${c}][${k}]`, 'must be an integer from 0 to 255');
        }
      }
      const size = block[3] as unknown;
      if (!Number.isInteger(size) || (size as number) < 1) {
        report(`grid_data.blocks[${r}][${c}][3]`, 'block size must be an integer of at least 1');
      } else if ((size as number) > limits.maxBlockSize) {
        report(
          `grid_data.blocks[${r}][${c}][3]`,
          `block size must be at most ${limits.maxBlockSize} (MAX_BLOCK_SIZE)`,
        );
      }
    }
  }
  if (hidden > 0) {
    errors.push({ field: 'grid_data.blocks', message: `and ${hidden} more invalid blocks` });
  }
  return errors;
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      message: message.startsWith(`${e.property} `)
        ? message.slice(e.property.length + 1)
        : message,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}
