import type { Visibility } from '../grid-storage/grid-data';

/** What `/play` opens with: short, and it draws at once. */
export const STARTER_PROGRAM = `from ipythonblocks import BlockGrid

grid = BlockGrid(10, 10, fill=(123, 234, 123))
for block in grid:
    if block.row == block.col:
        block.rgb = (255, 50, 50)
grid
`;

/** `"<id>"` or `"secret/<id>"`: how a post names the grid it remixes (POST /post's remix_of). */
export function remixOf(visibility: Visibility, hashId: string): string {
  return visibility === 'secret' ? `secret/${hashId}` : hashId;
}

/**
 * What `/<id>/play` opens with: the grid's code cells in order, a blank line between two; for a
 * grid posted without code, the two lines that fetch it, so Run shows it and the learner starts
 * from there.
 */
export function remixSource(visibility: Visibility, hashId: string, codeCells: string[]): string {
  if (codeCells.length > 0) return codeCells.join('\n\n');
  const secret = visibility === 'secret' ? ', secret=True' : '';
  return `from ipythonblocks import BlockGrid\ngrid = BlockGrid.from_web('${hashId}'${secret})\ngrid`;
}
