import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, ValidateBy } from 'class-validator';

const INTEGER = /^\s*[+-]?\d+\s*$/;

/**
 * An optional whole-number variable in `min..max`, with one message that says what it must be.
 * It reads the raw string: implicit conversion would turn "abc" into NaN (shown as null) and
 * report three broken rules at once.
 */
export function IntegerEnv(min: number, max?: number): PropertyDecorator {
  const range = max === undefined ? `of ${min} or more` : `from ${min} to ${max}`;
  return applyDecorators(
    IsOptional(),
    Transform(({ obj, key }) => {
      const raw: unknown = (obj as Record<string, unknown>)[key];
      return typeof raw === 'string' && INTEGER.test(raw) ? Number(raw) : raw;
    }),
    ValidateBy({
      name: 'integerEnv',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'number' &&
          Number.isSafeInteger(value) &&
          value >= min &&
          (max === undefined || value <= max),
        defaultMessage: () => `$property must be an integer ${range}`,
      },
    }),
  );
}
