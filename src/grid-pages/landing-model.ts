import type { Block, GridData } from '../grid-storage/grid-data';
import { gridDrawing } from '../grid-storage/stored-grid';
import { gridTableHtml } from './grid-table';

/** A 16x8 rainbow, what `for block in grid: block.set_colors(...)` makes in a first lesson. */
function showcaseGrid(): GridData {
  const width = 16;
  const height = 8;
  const blocks = Array.from({ length: height }, (_, r) =>
    Array.from({ length: width }, (_, c): Block => {
      const hue = ((c + r) / (width + height)) * 360;
      const [red, green, blue] = hslToRgb(hue, 0.75, 0.35 + (r / height) * 0.35);
      // 21 px: 16 blocks and their lines fit a phone's 366 px column.
      return [red, green, blue, 21];
    }),
  );
  return { lines_on: true, width, height, blocks };
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

let showcase: string | undefined;

/** What views/pages/landing.hbs shows. */
export function landingModel(origin: string) {
  showcase ??= gridTableHtml(gridDrawing(showcaseGrid()), '-showcase');
  return {
    title: 'Share and remix ipythonblocks grids',
    description:
      'ipythonblocks.org is where students and teachers share the grids of coloured blocks they ' +
      'draw with ipythonblocks in Jupyter notebooks, and remix each other’s.',
    canonicalUrl: `${origin}/`,
    nav: 'home',
    showcaseHtml: showcase,
  };
}
