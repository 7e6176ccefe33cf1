/**
 * `npm run bench:png`: the PNG preview benchmark. It renders BlockGrids of growing size with
 * src/grids/grid-image.ts (the source, through ts-node: no build needed) and prints, for each,
 * the render time, the PNG size and the longest event-loop stall seen while it ran
 * (perf_hooks.monitorEventLoopDelay, 1 ms resolution) and the longest garbage-collection pause in
 * that time (part of the stall, not the renderer's own synchronous work; the 1000x1000 grid alone
 * is ~100 MB of JS arrays for V8 to mark).
 *
 * On a shared machine the stall figures include time the OS gave to other processes: compare the
 * medians, run it twice. Usage: npm run bench:png [-- runs per size, default 5]
 */
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { clientGridData } from '../src/grid-api/api-examples';
import type { GridData } from '../src/grid-storage/grid-data';
import { gridDrawing } from '../src/grid-storage/stored-grid';
import { renderGridPng } from '../src/grid-pages/grid-image';
import { blocks } from '../test/support/grid-factory';

const RUNS = Number(process.argv[2] || 5);

/** A random-coloured grid, as ipythonblocks would post it. */
function grid(width: number, height: number, size: number, linesOn: boolean): GridData {
  // xorshift32: noise, the worst case for PNG size (ipythonblocks' random-colour exercises)
  let seed = (width * 7919 + height) | 1;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) & 255;
  };
  return clientGridData(
    blocks(width, height, size, () => [next(), next(), next()]),
    linesOn,
  );
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value: number) => Number(value.toFixed(1));

async function measure(name: string, data: GridData) {
  // What the grid worker draws from: the stored grid_data, normalised once.
  const drawing = gridDrawing(data);
  await renderGridPng(drawing); // warm-up: JIT and sharp's first call
  const times: number[] = [];
  const stalls: number[] = [];
  let maxGc = 0; // garbage-collection pauses stall the loop too: tell them apart
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) maxGc = Math.max(maxGc, entry.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  let result: Awaited<ReturnType<typeof renderGridPng>> | undefined;
  for (let i = 0; i < RUNS; i++) {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const started = performance.now();
    result = await renderGridPng(drawing);
    times.push(performance.now() - started);
    histogram.disable();
    stalls.push(histogram.max / 1e6);
  }
  gc.disconnect();
  if (!result) throw new Error('no run: the runs per size must be at least 1');
  const row = {
    grid: name,
    image: `${result.width}x${result.height}`,
    scale: Number(result.scale.toFixed(4)),
    png_bytes: result.png.length,
    median_ms: ms(median(times)),
    max_ms: ms(Math.max(...times)),
    // the longest stall in each run: its median over the runs, and the worst run
    median_stall_ms: ms(median(stalls)),
    max_stall_ms: ms(Math.max(...stalls)),
    max_gc_ms: ms(maxGc),
  };
  console.log(JSON.stringify(row));
  return row;
}

async function main(): Promise<void> {
  const rows = [];
  for (const [w, h, size, lines] of [
    [10, 10, 20, true],
    [60, 40, 4, true],
    [200, 200, 20, true],
    [200, 200, 20, false],
    [400, 400, 20, true],
    [500, 500, 20, true],
    [1000, 1000, 20, true],
    [1000, 1000, 1, false],
  ] as const) {
    rows.push(
      await measure(
        `${w}x${h} size ${size} lines ${lines ? 'on' : 'off'}`,
        grid(w, h, size, lines),
      ),
    );
  }
  console.table(rows);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
