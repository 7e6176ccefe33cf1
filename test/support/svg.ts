import { decode, type Decoded } from './png';

/**
 * Everything a grid's SVG may hold: the root, groups, rects, with only these attributes and only
 * numbers or colours in them. A document that does not match has an element, attribute or value
 * that did not come from the drawing code.
 */
const ROOT_OPEN =
  /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+" viewBox="0 0 \d+ \d+" shape-rendering="crispEdges">/;
const ELEMENT =
  /<g transform="translate\(0 \d+\)">|<g fill="#ffffff">|<\/g>|<rect(?: x="\d+")? width="\d+" height="\d+"(?: fill="#[0-9a-f]{6}")?\/>/y;

/** Checks `svg` against the grammar above; returns how many rects it holds. */
export function expectSvgGrammar(svg: string): number {
  const open = ROOT_OPEN.exec(svg);
  expect(open).not.toBeNull();
  expect(svg.endsWith('</svg>')).toBe(true);
  const body = svg.slice(open![0].length, -'</svg>'.length);
  let rects = 0;
  ELEMENT.lastIndex = 0;
  while (ELEMENT.lastIndex < body.length) {
    const at = ELEMENT.lastIndex;
    const match = ELEMENT.exec(body);
    if (!match) throw new Error(`Unexpected markup at ${at}: ${body.slice(at, at + 80)}`);
    if (match[0].startsWith('<rect')) rects++;
  }
  return rects;
}

/**
 * The SVG drawn by librsvg (through sharp; 72 dpi, one pixel per unit). librsvg reads it with libxml2,
 * which refuses a document that is not well-formed XML.
 */
export function rasterize(svg: string | Uint8Array): Promise<Decoded> {
  return decode(Buffer.from(svg));
}
