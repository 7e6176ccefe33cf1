import type { Block } from '../../src/grids/grid-data';

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

/** A width x height grid of deterministic colours, in the client's wire format. */
export function blocks(width: number, height: number, size = 20): Block[][] {
  return Array.from({ length: height }, (_, r) =>
    Array.from({ length: width }, (_, c): Block => [
      (r * 37) % 256,
      (c * 91) % 256,
      (r * c) % 256,
      size,
    ]),
  );
}

/** A body as `grid.post_to_web()` builds it, with any field overridden. */
export function clientBody(overrides: Partial<ClientBody> = {}, width = 3, height = 2): ClientBody {
  return {
    python_version: [3, 11, 2, 'final', 0],
    ipb_version: '1.10.dev',
    ipb_class: 'BlockGrid',
    code_cells: ['grid = BlockGrid(3, 2)', 'grid.show()'],
    secret: false,
    grid_data: { lines_on: true, width, height, blocks: blocks(width, height) },
    ...overrides,
  };
}
