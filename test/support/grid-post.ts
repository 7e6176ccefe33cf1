import type { GridLimits } from '../../src/config/app-config';
import { clientPostBody } from '../../src/grid-api/api-examples';
import type { Block } from '../../src/grid-storage/grid-data';
import {
  GridPostValidationPipe,
  InvalidGridPostException,
} from '../../src/grid-api/grid-post.pipe';
import type { FieldError } from '../../src/grid-api/grid-post.rules';

/** Small limits, so that specs can reach each of them with a small body. */
export const limits: GridLimits = {
  maxBodyBytes: 1024 * 1024,
  maxBlocks: 100,
  maxBlockSize: 50,
  maxCodeCells: 3,
  maxCodeCellChars: 10,
  maxCodeChars: 25,
};

/** A valid post, with any key overridden. */
export function post(overrides: Record<string, unknown> = {}) {
  const blocks: Block[][] = [
    [
      [0, 0, 0, 20],
      [255, 255, 255, 20],
    ],
  ];
  return {
    ...clientPostBody({ ipbVersion: '1.9.0', codeCells: ['g.show()'], blocks }),
    ...overrides,
  };
}

/** The field errors of the 400 the route's pipe answers, none when it accepts the body. */
export async function validateGridPost(body: unknown, held = limits): Promise<FieldError[]> {
  try {
    await new GridPostValidationPipe(held).transform(body, { type: 'body' });
    return [];
  } catch (err) {
    if (err instanceof InvalidGridPostException) return err.errors;
    throw err;
  }
}

/** The fields the 400 names, in its order. */
export const fields = async (body: Record<string, unknown>) =>
  (await validateGridPost(body, limits)).map((e) => e.field);
