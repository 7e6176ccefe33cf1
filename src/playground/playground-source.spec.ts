import { remixOf, remixSource } from './playground-source';

describe("a grid's code in the playground", () => {
  it('is its code cells in order, a blank line between two', () => {
    expect(remixSource('public', 'bizkiL', ['a = 1', 'print(a)\n'])).toBe('a = 1\n\nprint(a)\n');
  });

  it('without code, is the two lines that fetch the grid, then the grid', () => {
    expect(remixSource('public', 'bizkiL', [])).toBe(
      "from ipythonblocks import BlockGrid\ngrid = BlockGrid.from_web('bizkiL')\ngrid",
    );
    expect(remixSource('secret', 'MiXoi4', [])).toBe(
      "from ipythonblocks import BlockGrid\ngrid = BlockGrid.from_web('MiXoi4', secret=True)\ngrid",
    );
  });

  it('names its parent as POST /post takes it', () => {
    expect(remixOf('public', 'bizkiL')).toBe('bizkiL');
    expect(remixOf('secret', 'MiXoi4')).toBe('secret/MiXoi4');
  });
});
