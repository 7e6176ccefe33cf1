import sharp from 'sharp';
import { gridDrawing } from '../../src/grid-storage/stored-grid';
import { type GridImageOptions, renderGridPng } from '../../src/grid-pages/grid-image';

export type Rgb = [number, number, number];
export const WHITE: Rgb = [255, 255, 255];

/** A stored grid_data (whatever it holds) drawn as its PNG, as the grid worker draws it. */
export function gridPng(grid: unknown, options?: GridImageOptions) {
  return renderGridPng(gridDrawing(grid), options);
}

export interface Decoded {
  width: number;
  height: number;
  at(x: number, y: number): Rgb;
}

export async function decode(png: Buffer): Promise<Decoded> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return {
    width: info.width,
    height: info.height,
    at(x, y) {
      const i = (y * info.width + x) * 3;
      return [data[i], data[i + 1], data[i + 2]];
    },
  };
}

/** Checks one pixel; calls expect only on a mismatch, so that big loops stay fast. */
export function expectPixel(
  image: Decoded,
  x: number,
  y: number,
  rgb: readonly number[],
  label = '',
) {
  const got = image.at(x, y);
  if (got[0] !== rgb[0] || got[1] !== rgb[1] || got[2] !== rgb[2]) {
    expect({ at: [x, y], label, rgb: got }).toEqual({ at: [x, y], label, rgb: rgb.slice(0, 3) });
  }
}
