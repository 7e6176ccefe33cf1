import { move } from 'piscina';
import { gridDrawing } from '../grid-storage/stored-grid';
import { gridSvg } from './grid-svg';

/**
 * A grid's SVG drawn on a worker thread (see GridRenderer): parsing a big grid's JSON and writing
 * up to megabytes of markup never stalls the thread serving requests. The bytes are handed over.
 */
export default function runGridSvgTask(gridJson: string): unknown {
  return move(gridSvg(gridDrawing(JSON.parse(gridJson))));
}
