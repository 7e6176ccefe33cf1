/** One block as the ipythonblocks client sends it: red, green, blue, size in pixels. */
export type Block = [number, number, number, number];

/** The `grid_data` object exactly as the client posts it and `from_web()` reads it back. */
export interface GridData {
  lines_on: boolean;
  width: number;
  height: number;
  blocks: Block[][];
}

/**
 * `python_version` is `sys.version_info` as a list today, but old rows hold 3-item lists or
 * strings such as "2.7.6": the column keeps whatever the client sent.
 */
export type PythonVersion = (number | string)[] | string;

export type IpbClass = 'BlockGrid' | 'ImageGrid';

export type Visibility = 'public' | 'secret';
