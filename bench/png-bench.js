'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: runs with no compile step */
// PNG preview benchmark: renders BlockGrids of growing size with src/grids/grid-image.ts (loaded
// through ts-node, no build needed) and prints, for each, the render time, the PNG size and the
// longest event-loop stall seen while it ran (perf_hooks.monitorEventLoopDelay, 1 ms resolution)
// and the longest garbage-collection pause in that time (part of the stall, not the renderer's
// own synchronous work; the 1000x1000 grid alone is ~100 MB of JS arrays for V8 to mark).
// On a shared machine the stall figures include time the OS gave to other processes: compare the
// medians, run it twice. Usage: node bench/png-bench.js [runs per size, default 5]
const { PerformanceObserver, monitorEventLoopDelay, performance } = require('node:perf_hooks');
const path = require('node:path');

require('ts-node').register({
  transpileOnly: true,
  project: path.join(__dirname, '..', 'tsconfig.json'),
});
const { renderGridPng } = require('../src/grids/grid-image');

const RUNS = Number(process.argv[2] || 5);

/** A random-coloured grid, as ipythonblocks would post it. */
function grid(width, height, size, linesOn) {
  // xorshift32: noise, the worst case for PNG size (ipythonblocks' random-colour exercises)
  let seed = (width * 7919 + height) | 1;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) & 255;
  };
  const blocks = [];
  for (let r = 0; r < height; r++) {
    const row = [];
    for (let c = 0; c < width; c++) row.push([next(), next(), next(), size]);
    blocks.push(row);
  }
  return { lines_on: linesOn, width, height, blocks };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => Number(value.toFixed(1));

async function measure(name, data) {
  await renderGridPng(data); // warm-up: JIT and sharp's first call
  const times = [];
  const stalls = [];
  let maxGc = 0; // garbage-collection pauses stall the loop too: tell them apart
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) maxGc = Math.max(maxGc, entry.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  let result;
  for (let i = 0; i < RUNS; i++) {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const started = performance.now();
    result = await renderGridPng(data);
    times.push(performance.now() - started);
    histogram.disable();
    stalls.push(histogram.max / 1e6);
  }
  gc.disconnect();
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

async function main() {
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
  ]) {
    rows.push(
      await measure(
        `${w}x${h} size ${size} lines ${lines ? 'on' : 'off'}`,
        grid(w, h, size, lines),
      ),
    );
  }
  console.table(rows);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
