/**
 * The messages between the playground page and its worker, and the runner's answer
 * (ipb_playground.run's JSON), typed once for both sides.
 */

/** A display or a clear, as the program made it: `display(HTML(...))`, `clear_output(wait)`. */
export type DisplayEvent = { kind: 'html'; html: string } | { kind: 'clear'; wait: boolean };

export interface GridPostData {
  ipb_class: 'BlockGrid' | 'ImageGrid';
  grid_data: { lines_on: boolean; width: number; height: number; blocks: number[][][] };
}

/** What a program did, in the shape of the oracle fixture's `expected` (and the seam's answer). */
export interface Outcome {
  stdout: string;
  events: DisplayEvent[];
  /** The last expression's value as Jupyter shows it, or null. */
  result: { html: string } | { text: string } | null;
  /** Bodies post_to_web sent, without python_version. */
  posts: Record<string, unknown>[];
  /** Every top-level variable holding a grid. */
  grids: Record<string, GridPostData>;
  error: { type: string; message: string } | null;
}

/** ipb_playground.run's answer. */
export interface RunAnswer {
  outcome: Outcome;
  traceback: string | null;
  /** The line of the learner's code the error is on (1-based). */
  error_line: number | null;
  /** The grid the program displayed last: what Post sends. */
  last_grid: GridPostData | null;
}

export type ToWorker = { type: 'run'; id: number; code: string; codeCells: string[] | null };

export type FromWorker =
  | { type: 'ready'; pythonVersion: (number | string)[]; ipbVersion: string }
  | { type: 'loadError'; message: string }
  | { type: 'started'; id: number }
  | { type: 'event'; id: number; event: DisplayEvent }
  | { type: 'stdout'; id: number; text: string }
  | { type: 'done'; id: number; answer: RunAnswer }
  /** The runner itself failed (Python's memory ran out, a fatal error): this worker is done. */
  | { type: 'crashed'; id: number; message: string };
