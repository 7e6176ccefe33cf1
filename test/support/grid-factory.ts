import { clientPostBody } from '../../src/grid-api/api-examples';
import type { Block } from '../../src/grid-storage/grid-data';

export interface ClientBody {
  python_version: unknown;
  ipb_version: unknown;
  ipb_class: unknown;
  code_cells: unknown;
  secret: unknown;
  grid_data: {
    lines_on: unknown;
    width: unknown;
    height: unknown;
    blocks: unknown;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A colour for the block at (row, column): red, green, blue. */
export type Colouring = (row: number, column: number) => [number, number, number];

const DEFAULT_COLOURS: Colouring = (r, c) => [(r * 37) % 256, (c * 91) % 256, (r * c) % 256];

/** A width x height grid (deterministic colours unless given), in the client's wire format. */
export function blocks(
  width: number,
  height: number,
  size = 20,
  colour: Colouring = DEFAULT_COLOURS,
): Block[][] {
  return Array.from({ length: height }, (_, r) =>
    Array.from({ length: width }, (_, c): Block => [...colour(r, c), size]),
  );
}

/** A body as `grid.post_to_web()` builds it, with any field overridden. */
export function clientBody(overrides: Partial<ClientBody> = {}, width = 3, height = 2): ClientBody {
  const codeCells = ['grid = BlockGrid(3, 2)', 'grid.show()'];
  return { ...clientPostBody({ blocks: blocks(width, height), codeCells }), ...overrides };
}
