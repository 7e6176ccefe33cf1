import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GridData } from '../../src/grid-storage/grid-data';

/** One body of test/fixtures/client-posts.json, as the ipythonblocks client sends it. */
export interface ClientPostFixture {
  name: string;
  secret: boolean;
  /** Sent as is, with no Content-Type header. */
  body: string;
  grid_data: GridData;
  /** What the library renders for the grid, its table id replaced by `{TABLE_ID}`. */
  table_html: string;
}

export const clientPostFixtures = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'client-posts.json'), 'utf8'),
) as ClientPostFixture[];
