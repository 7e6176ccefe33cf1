import type { Visibility } from '../grid-storage/grid-data';
import type { ImportProgress } from './import-progress';

export interface ImportOptions {
  file: string;
  dryRun?: boolean;
  /** Rows per transaction. */
  batchSize?: number;
  only?: Visibility;
  /** Where rejected rows go; by default `<file name>.rejects.jsonl` in the working directory. */
  rejectsFile?: string;
  overwrite?: boolean;
  /** Move grids posted through the site at ids the file needs to fresh ids, instead of refusing. */
  renumberPosted?: boolean;
  /** Id ranges imported side by side, each on its own connection (a server only). */
  jobs?: number;
  progress?: ImportProgress;
  /** Aborting stops the run after the batches in flight, which commit: nothing is cut off. */
  signal?: AbortSignal;
}

export const DEFAULT_BATCH_SIZE = 1000;
// Postgres parsing jsonb is the bottleneck, and it is single-threaded per connection.
export const DEFAULT_JOBS = 2;
