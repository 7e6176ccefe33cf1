import { gridDrawing } from '../grid-storage/stored-grid';
import { embedFrame, fitFrame, EMBED_CAPTION_HEIGHT, EMBED_MIN_WIDTH } from './grid-embed-layout';
import { renderGridPng } from './grid-image';

const drawing = (rows: number[][][], linesOn = true) =>
  gridDrawing({
    lines_on: linesOn,
    width: rows[0]?.length ?? 0,
    height: rows.length,
    blocks: rows,
  });
const row = (...sizes: number[]) => sizes.map((s) => [1, 2, 3, s]);

describe('embedFrame', () => {
  it('is the table: columns and rows as large as their largest block, lines between and around', () => {
    const frame = embedFrame(drawing([row(5, 300, 1), row(40, 2, 2)]), 100);
    expect(frame).toEqual({ width: 40 + 300 + 2 + 4, height: 300 + 40 + 3 + EMBED_CAPTION_HEIGHT });
  });

  it('has no lines when lines are off, and is never narrower than its caption needs', () => {
    expect(embedFrame(drawing([row(20, 20), row(20, 20)], false), 100)).toEqual({
      width: EMBED_MIN_WIDTH,
      height: 40 + EMBED_CAPTION_HEIGHT,
    });
  });

  it('skips empty rows and takes an empty grid as a caption alone', () => {
    expect(embedFrame(drawing([[], row(10)]), 100).height).toBe(12 + EMBED_CAPTION_HEIGHT);
    expect(embedFrame(drawing([]), 100)).toEqual({
      width: EMBED_MIN_WIDTH,
      height: EMBED_CAPTION_HEIGHT,
    });
  });

  it('past the table limit, is the picture as the PNG draws it', async () => {
    const rows = Array.from({ length: 150 }, () => row(...Array<number>(300).fill(9)));
    const png = await renderGridPng(drawing(rows));
    expect(embedFrame(drawing(rows), 40_000)).toEqual({
      width: png.width,
      height: png.height + EMBED_CAPTION_HEIGHT,
    });
  });
});

describe('fitFrame', () => {
  it('shrinks to the bounds keeping proportions, and never enlarges', () => {
    expect(fitFrame({ width: 400, height: 100 }, 200)).toEqual({ width: 200, height: 50 });
    expect(fitFrame({ width: 400, height: 100 }, 300, 25)).toEqual({ width: 100, height: 25 });
    expect(fitFrame({ width: 400, height: 100 }, 1000, 1000)).toEqual({ width: 400, height: 100 });
    expect(fitFrame({ width: 421, height: 88 }, undefined, 30)).toEqual({ width: 143, height: 30 });
  });
});
