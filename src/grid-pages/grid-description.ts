import type { Block } from '../grid-storage/grid-data';
import type { GridDrawing } from '../grid-storage/stored-grid';

/**
 * What a grid shows, in words, for people who cannot see it (screen readers read it through the
 * figure's aria-describedby; embeds and pictures use it as their alt text).
 *
 * Colours are named from a small palette of everyday names, the nearest in CIELAB (distances
 * there follow what eyes see far better than RGB's do): a learner who wrote (0, 0, 130) hears
 * "navy", not a number. The palette leans on the pure colours teaching code uses most.
 */
export const COLOUR_NAMES: readonly (readonly [
  name: string,
  rgb: readonly [number, number, number],
])[] = [
  ['black', [0, 0, 0]],
  ['dark grey', [90, 90, 90]],
  ['grey', [150, 150, 150]],
  ['light grey', [210, 210, 210]],
  ['white', [255, 255, 255]],
  ['red', [255, 0, 0]],
  ['dark red', [140, 0, 0]],
  ['pink', [255, 170, 200]],
  ['orange', [255, 140, 0]],
  ['brown', [140, 80, 30]],
  ['beige', [235, 215, 170]],
  ['yellow', [255, 255, 0]],
  ['gold', [220, 170, 30]],
  ['olive', [128, 128, 0]],
  ['bright green', [0, 255, 0]],
  ['green', [0, 150, 0]],
  ['dark green', [0, 80, 0]],
  ['light green', [150, 240, 150]],
  ['teal', [0, 128, 128]],
  ['cyan', [0, 255, 255]],
  ['sky blue', [135, 206, 235]],
  ['blue', [0, 0, 255]],
  ['navy', [0, 0, 128]],
  ['purple', [128, 0, 128]],
  ['magenta', [255, 0, 255]],
  ['lavender', [200, 170, 240]],
];

/** Grids up to this many blocks a side are read row by row; bigger ones are summarised. */
export const ROW_BY_ROW_MAX_SIDE = 16;
/** No description is longer than this (a row-by-row text past it becomes a summary). */
export const DESCRIPTION_MAX_CHARS = 2000;

type Lab = [number, number, number];

function toLab([r, g, b]: readonly number[]): Lab {
  const linear = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [lr, lg, lb] = [linear(r), linear(g), linear(b)];
  // sRGB to XYZ (D65), each divided by the white point.
  const x = (0.4124 * lr + 0.3576 * lg + 0.1805 * lb) / 0.95047;
  const y = 0.2126 * lr + 0.7152 * lg + 0.0722 * lb;
  const z = (0.0193 * lr + 0.1192 * lg + 0.9505 * lb) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 / 116) * t + 16 / 116);
  const [fx, fy, fz] = [f(x), f(y), f(z)];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

const PALETTE_LAB = COLOUR_NAMES.map(([, rgb]) => toLab(rgb));

/** A colour channel as the page draws it: a number in 0..255 (odd stored values included). */
function channel(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(255, Math.max(0, Math.round(n))) : 0;
}

/** The palette's name nearest to this colour. */
export function colourName(rgb: readonly unknown[]): string {
  return COLOUR_NAMES[nearest([channel(rgb[0]), channel(rgb[1]), channel(rgb[2])])][0];
}

/** The index in COLOUR_NAMES of the colour nearest to `rgb` (channels in 0..255). */
function nearest(rgb: readonly number[]): number {
  const lab = toLab(rgb);
  let best = 0;
  let bestDistance = Infinity;
  PALETTE_LAB.forEach(([l, a, b], i) => {
    const distance = (lab[0] - l) ** 2 + (lab[1] - a) ** 2 + (lab[2] - b) ** 2;
    if (distance < bestDistance) [best, bestDistance] = [i, distance];
  });
  return best;
}

/**
 * Names colours through a table of 2^15 entries, one per colour with 5 bits a channel, each
 * filled when first met: a grid of 40,000 distinct colours costs a few thousand namings, not
 * 40,000. Colours sharing an entry differ by less than 8 in each channel, too little to change
 * a name except at the palette's borders.
 */
function namer(): (block: Block) => number {
  const names = new Uint8Array(1 << 15);
  return (block) => {
    const [r, g, b] = [channel(block[0]), channel(block[1]), channel(block[2])];
    const key = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
    if (names[key] === 0) names[key] = 1 + nearest([r, g, b]);
    return names[key] - 1;
  };
}

/** Blocks of each palette colour (by index in COLOUR_NAMES). */
type Counts = Uint32Array;

const newCounts = (): Counts => new Uint32Array(COLOUR_NAMES.length);

function add(into: Counts, from: Counts): Counts {
  for (let i = 0; i < into.length; i++) into[i] += from[i];
  return into;
}

/**
 * Colours in order of how many blocks they cover, most first; ties in the order the grid shows
 * them first (`seen`, from the top left).
 */
function ranked(counts: Counts, seen: Int32Array): [name: string, blocks: number][] {
  return [...counts.keys()]
    .filter((i) => counts[i] > 0)
    .sort((a, b) => counts[b] - counts[a] || seen[a] - seen[b])
    .map((i) => [COLOUR_NAMES[i][0], counts[i]]);
}

/** "a", "a and b", "a, b and c" */
function list(items: string[]): string {
  return items.length < 2
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function plural(n: number, one: string, many: string): string {
  return `${String(n)} ${n === 1 ? one : many}`;
}

/** "row 3", "rows 3 to 5" (numbered from 1, as people count). */
function span(word: string, from: number, to: number): string {
  return from === to
    ? `${word} ${String(from + 1)}`
    : `${word}s ${String(from + 1)} to ${String(to + 1)}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * What covers the grid: "All 64 blocks are navy.", "Mostly navy (48 of 64 blocks), then gold
 * (16).", "Black (32 of 64 blocks) and white (32)."; past four colours, how many others there are.
 */
function coverage(order: [string, number][], blocks: number, asPercent: boolean): string {
  const [first, firstCount] = order[0];
  if (order.length === 1) {
    return blocks === 1 ? `One ${first} block.` : `All ${String(blocks)} blocks are ${first}.`;
  }
  const share = (n: number) =>
    asPercent ? `${String(Math.max(1, Math.round((100 * n) / blocks)))} %` : String(n);
  const lead = `${first} (${asPercent ? share(firstCount) : `${String(firstCount)} of ${String(blocks)} blocks`})`;
  const rest = order.slice(1, 4).map(([name, n]) => `${name} (${share(n)})`);
  if (order.length > 4) rest.push(plural(order.length - 4, 'other colour', 'other colours'));
  return firstCount * 2 > blocks
    ? `Mostly ${lead}, then ${list(rest)}.`
    : `${capitalise(list([lead, ...rest]))}.`;
}

/** One row in runs of a colour: "3 navy, 2 gold, 3 navy", "all navy", "8 alternating a and b". */
function rowRuns(row: Uint8Array): string {
  if (row.length === 0) return 'empty';
  const runs: [string, number][] = [];
  for (const i of row) {
    const name = COLOUR_NAMES[i][0];
    const last = runs[runs.length - 1];
    if (last && last[0] === name) last[1] += 1;
    else runs.push([name, 1]);
  }
  if (runs.length === 1) return `all ${runs[0][0]}`;
  const [a, b] = [runs[0][0], runs[1][0]];
  if (runs.length > 3 && runs.every(([name, n], i) => n === 1 && name === (i % 2 ? b : a))) {
    return `${String(row.length)} alternating ${a} and ${b}`;
  }
  return runs.map(([name, n]) => `${String(n)} ${name}`).join(', ');
}

/** Rows top to bottom, consecutive rows that read the same told once: "Rows 2 to 4: all navy." */
function rowByRow(rows: Uint8Array[]): string {
  const lines: string[] = [];
  let from = 0;
  let text = rowRuns(rows[0]);
  for (let r = 1; r <= rows.length; r++) {
    const next = r < rows.length ? rowRuns(rows[r]) : null;
    if (next === text) continue;
    lines.push(`${capitalise(span('row', from, r - 1))}: ${text}.`);
    [from, text] = [r, next ?? ''];
  }
  return lines.join(' ');
}

/** The colour covering most of these blocks, when it covers at least `share` of them. */
function dominant(counts: Counts, share: number): number | null {
  let best = 0;
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    total += counts[i];
    if (counts[i] > counts[best]) best = i;
  }
  return total > 0 && counts[best] >= share * total ? best : null;
}

/**
 * Where the colours are in a big grid: halves that differ ("top half mostly sky blue, bottom half
 * mostly green") and rows or columns nearly all one colour that stands out from the half they
 * are in ("a red band across row 12").
 */
function layout(rowCounts: Counts[], columnCounts: Counts[], overall: number): string[] {
  const parts: string[] = [];
  const bands: string[] = [];
  for (const [lines, [first, second], word, how] of [
    [rowCounts, ['top half', 'bottom half'], 'row', 'across'],
    [columnCounts, ['left half', 'right half'], 'column', 'down'],
  ] as const) {
    const size = lines.length;
    if (size < 2) continue;
    const mid = Math.floor(size / 2);
    const halves = [lines.slice(0, mid), lines.slice(size - mid)].map((half) =>
      dominant(half.reduce(add, newCounts()), 0.5),
    );
    if (halves[0] !== halves[1]) {
      const told = [first, second].flatMap((label, i) => {
        const half = halves[i];
        return half === null ? [] : [`${label} mostly ${COLOUR_NAMES[half][0]}`];
      });
      if (told.length) parts.push(told.join(', '));
    }
    const lineColour = lines.map((line) => dominant(line, 0.75));
    let r = 0;
    let found = 0;
    while (r < size && found < 3) {
      const colour = lineColour[r];
      if (colour === null || colour === (halves[r < mid ? 0 : 1] ?? overall)) {
        r++;
        continue;
      }
      let end = r;
      while (end + 1 < size && lineColour[end + 1] === colour) end++;
      // A band is thin: a third of the grid or more is a region, which the halves tell.
      if ((end - r + 1) * 3 < size) {
        bands.push(`a ${COLOUR_NAMES[colour][0]} band ${how} ${span(word, r, end)}`);
        found++;
      }
      r = end + 1;
    }
  }
  return [...parts, ...bands];
}

/**
 * The grid described in words (see the file's comment): how much each colour covers, then for a
 * small grid every row in runs of colour, for a big one where its colours are. At most
 * DESCRIPTION_MAX_CHARS long.
 */
export function describeGrid(drawing: GridDrawing): string {
  const blocks = drawing.blocks;
  if (blocks === 0) return 'An empty grid: it holds no blocks.';
  const name = namer();
  const seen = new Int32Array(COLOUR_NAMES.length).fill(-1);
  const width = Math.max(...drawing.rows.map((r) => r.length));
  const rowCounts = drawing.rows.map(newCounts);
  const columnCounts = Array.from({ length: width }, newCounts);
  let order = 0;
  const rows = drawing.rows.map((row, r) => {
    const colours = new Uint8Array(row.length);
    for (let c = 0; c < row.length; c++) {
      const colour = (colours[c] = name(row[c]));
      if (seen[colour] < 0) seen[colour] = order++;
      rowCounts[r][colour]++;
      columnCounts[c][colour]++;
    }
    return colours;
  });
  const colours = ranked(rowCounts.reduce(add, newCounts()), seen);
  if (rows.length <= ROW_BY_ROW_MAX_SIDE && width <= ROW_BY_ROW_MAX_SIDE) {
    const text = `${coverage(colours, blocks, false)}${colours.length > 1 ? ` ${rowByRow(rows)}` : ''}`;
    if (text.length <= DESCRIPTION_MAX_CHARS) return text;
  }
  const summary = coverage(colours, blocks, true);
  if (colours.length === 1) return summary;
  const overall = COLOUR_NAMES.findIndex(([n]) => n === colours[0][0]);
  const where = layout(rowCounts, columnCounts, overall);
  const text = where.length ? `${summary} ${capitalise(where.join('; '))}.` : summary;
  return text.length <= DESCRIPTION_MAX_CHARS
    ? text
    : `${text.slice(0, DESCRIPTION_MAX_CHARS - 1)}…`;
}

/**
 * "A 3 × 2" but "An 8 × 8", "An 11 × 4", "An 18 × 18", "An 80 × 1": the article a number read
 * aloud takes (eight, eleven, eighteen, eighty..., eleven thousand...).
 */
export function aSize(width: unknown, height: unknown): string {
  const digits = String(width);
  const vowelSound = digits.startsWith('8') || (digits.length % 3 === 2 && /^1[18]/.test(digits));
  return `${vowelSound ? 'An' : 'A'} ${String(width)} × ${String(height)}`;
}

/** What a grid is, for the name of its image: "A 7 × 3 BlockGrid of 21 coloured blocks". */
export function gridName(ipbClass: string, width: unknown, height: unknown): string {
  const count = Number(width) * Number(height);
  const blocks = count === 1 ? '1 coloured block' : `${String(count)} coloured blocks`;
  return `${aSize(width, height)} ${ipbClass} of ${blocks}`;
}
