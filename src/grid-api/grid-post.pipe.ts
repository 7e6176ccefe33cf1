import {
  ArgumentMetadata,
  BadRequestException,
  Inject,
  Injectable,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { isPlainObject } from '../common/is-plain-object';
import { fieldPath } from '../common/storable-text';
import type { GridLimits } from '../config/app-config';
import type { IpbClass, PythonVersion } from '../grid-storage/grid-data';
import { parseRemixOf, type RemixRef } from '../grid-lineage/remix-ref';
import { GridPostDto } from './grid-post.dto';
import { shallowTransformer } from './grid-post.transformer';
import {
  FIELD_RULES,
  FieldError,
  IS_PRESENT,
  MAX_REPORTED_ERRORS,
  MISSING_RANK,
  PLAIN_RANK,
  POST_LIMITS,
  STORABLE_RANK,
} from './grid-post.rules';

/** The injection token of the configured GridLimits (GridApiModule provides it). */
export const GRID_LIMITS = Symbol('GridLimits');

/** A post that passed validation, in the app's own terms. */
export interface GridPost {
  pythonVersion: PythonVersion;
  ipbVersion: string;
  ipbClass: IpbClass;
  codeCells: string[] | null;
  secret: boolean;
  /** The posted grid_data as JSON text, so `/get` serves back exactly what was sent. */
  gridDataJson: string;
  /** The grid `remix_of` names; null when the post has none (not whether that grid exists). */
  remixOf: RemixRef | null;
}

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
 * A body already checked by this pipe on the grid worker thread (big bodies, see
 * JsonBodyInterceptor), where parsing megabytes of JSON cannot stall the server.
 */
export class CheckedGridPost {
  constructor(readonly post: GridPost) {}
}

/**
 * Validates a post body with GridPostDto, and answers a 400 naming every failing field (the
 * body clients have always had: `errors` is `[{field, message}]`, `message` lists them all).
 * Unknown keys are ignored, so newer clients keep working.
 */
@Injectable()
export class GridPostValidationPipe extends ValidationPipe {
  constructor(@Inject(GRID_LIMITS) private readonly limits: GridLimits) {
    super({
      expectedType: GridPostDto,
      transform: true,
      // Every property's rules run (not just up to the first failure): the field rules list
      // their fields whatever else is wrong; fieldErrors keeps one plain message a property.
      stopAtFirstError: false,
      // The field rules are asked again for their list from the value they failed on.
      validationError: { target: false, value: true },
      exceptionFactory: (errors) => new InvalidGridPostException(fieldErrors(errors, limits)),
      transformerPackage: shallowTransformer,
    });
  }

  // These two walk the whole body, all of a photo's blocks (~0.05 s and ~0.2 s for a 200x200
  // grid), for what a body from JSON.parse never holds (a gap in an array, a `__proto__` that
  // is the prototype) and shallowTransformer never does (assign through a key).
  protected override stripProtoKeys(): void {}
  protected override closeArrayGaps(): void {}

  override async transform(body: unknown, metadata: ArgumentMetadata): Promise<GridPost> {
    if (body instanceof CheckedGridPost) return body.post;
    if (!isPlainObject(body)) {
      throw new InvalidGridPostException([{ field: '(body)', message: 'must be a JSON object' }]);
    }
    const post = (await super.transform(body, metadata)) as GridPostDto;
    return {
      pythonVersion: post.python_version,
      ipbVersion: post.ipb_version,
      ipbClass: post.ipb_class,
      codeCells: post.code_cells,
      secret: post.secret,
      // The body's own object, not the DTO's: every key as posted, `constructor` included
      // (a DTO leaves that one out, as class-validator looks up its rules through it).
      gridDataJson: JSON.stringify((body as { grid_data: unknown }).grid_data),
      // Checked against REMIX_OF_PATTERN above, so it parses.
      remixOf: typeof post.remix_of === 'string' ? parseRemixOf(post.remix_of) : null,
    };
  }

  protected override validate(post: GridPostDto, options?: ValidatorOptions) {
    post[POST_LIMITS] = this.limits;
    return super.validate(post, options);
  }
}

interface RankedError extends FieldError {
  rank: number;
}

/**
 * class-validator's errors as the field errors of the answer: missing keys first, then one
 * message for each wrong property, then what the field rules list (blocks, code cells,
 * unstorable strings, at most MAX_REPORTED_ERRORS of those), each group in the DTO's order.
 */
export function fieldErrors(errors: ValidationError[], limits: GridLimits): FieldError[] {
  const ranked = [...rankedErrors(errors, limits, '')].sort((a, b) => a.rank - b.rank);
  let unstorable = 0;
  return ranked
    .filter((e) => e.rank !== STORABLE_RANK || ++unstorable <= MAX_REPORTED_ERRORS)
    .map(({ field, message }) => ({ field, message }));
}

function* rankedErrors(
  errors: ValidationError[],
  limits: GridLimits,
  parent: string,
): Generator<RankedError> {
  for (const error of errors) {
    const field = fieldPath(parent, error.property);
    const constraints = error.constraints ?? {};
    // The first rule that failed (class-validator runs them bottom up) names the property.
    const plain = Object.keys(constraints).find((name) => !FIELD_RULES.has(name));
    if (plain !== undefined) {
      const rank = plain === IS_PRESENT ? MISSING_RANK : PLAIN_RANK;
      yield { rank, field, message: constraints[plain] };
    }
    for (const name of Object.keys(constraints)) {
      const rule = FIELD_RULES.get(name);
      if (!rule || (rule.afterNested && error.children?.length)) continue;
      for (const problem of rule.problems(error.value, limits, field)) {
        yield { rank: rule.rank, ...problem };
      }
    }
    // What is inside a wrong property is not listed: its being wrong says enough.
    if (plain === undefined) yield* rankedErrors(error.children ?? [], limits, field);
  }
}
