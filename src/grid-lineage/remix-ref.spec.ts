import { parseRemixOf, remixRefInCode } from './remix-ref';

describe('parseRemixOf', () => {
  it('reads a public id and a secret one', () => {
    expect(parseRemixOf('aB3dE9')).toEqual({ visibility: 'public', hashId: 'aB3dE9' });
    expect(parseRemixOf('secret/MiXoi4')).toEqual({ visibility: 'secret', hashId: 'MiXoi4' });
  });

  it.each([
    [''],
    ['secret/'],
    ['/aB3dE9'],
    ['public/aB3dE9'],
    ['Secret/aB3dE9'],
    ['aB3dE9/'],
    ['aB3d E9'],
    ['http://www.ipythonblocks.org/aB3dE9'],
    ['a'.repeat(33)],
    ['aB3dE9\n'],
  ])('refuses %j', (value) => {
    expect(parseRemixOf(value)).toBeNull();
  });
});

describe('remixRefInCode', () => {
  const ref = (cells: string[] | null) => remixRefInCode(cells);

  it('finds BlockGrid.from_web and ImageGrid.from_web with an id literal', () => {
    expect(ref(["grid = BlockGrid.from_web('aB3dE9')"])).toEqual({
      visibility: 'public',
      hashId: 'aB3dE9',
    });
    expect(ref(['img = ImageGrid.from_web("xY12zz", origin="upper-left")'])).toEqual({
      visibility: 'public',
      hashId: 'xY12zz',
    });
  });

  it('reads secret=True, in any order, by keyword or by position', () => {
    const secret = { visibility: 'secret', hashId: 'MiXoi4' };
    expect(ref(["g = BlockGrid.from_web('MiXoi4', secret=True)"])).toEqual(secret);
    expect(ref(["g = BlockGrid.from_web(secret=True, grid_id='MiXoi4')"])).toEqual(secret);
    expect(ref(["g = BlockGrid.from_web('MiXoi4', True)"])).toEqual(secret);
    expect(ref(["g = ImageGrid.from_web('MiXoi4', True, 'upper-left')"])).toEqual(secret);
    expect(ref(["g = BlockGrid.from_web('MiXoi4', secret=1)"])).toEqual(secret);
    expect(ref(["g = BlockGrid.from_web('MiXoi4', secret=False)"])).toEqual({
      visibility: 'public',
      hashId: 'MiXoi4',
    });
  });

  it('takes the module path, spaces, line breaks and a trailing comma', () => {
    const code =
      "import ipythonblocks\ng = ipythonblocks.BlockGrid .from_web(\n    r'aB3dE9',\n    secret = True,\n)";
    expect(ref([code])).toEqual({ visibility: 'secret', hashId: 'aB3dE9' });
  });

  it('takes the first call that can be read, across cells in order', () => {
    const cells = [
      'from ipythonblocks import BlockGrid',
      "a = BlockGrid.from_web('first1')\nb = BlockGrid.from_web('second')",
      "c = BlockGrid.from_web('third3', secret=True)",
    ];
    expect(ref(cells)).toEqual({ visibility: 'public', hashId: 'first1' });
    expect(ref(cells.slice(2))).toEqual({ visibility: 'secret', hashId: 'third3' });
  });

  it('skips calls whose id or secret is not a literal it can read', () => {
    const cells = [
      'g = BlockGrid.from_web(grid_id)',
      "g = BlockGrid.from_web('abc' + 'def')",
      "g = BlockGrid.from_web('abc' 'def')",
      "g = BlockGrid.from_web(f'{x}')",
      "g = BlockGrid.from_web(b'aB3dE9')",
      "g = BlockGrid.from_web('aB3dE9', secret=is_secret)",
      "g = BlockGrid.from_web('not an id')",
      "g = BlockGrid.from_web('with\\\\escape')",
      "g = BlockGrid.from_web('aB3dE9', secret=True, unknown=1)",
      "g = BlockGrid.from_web('later1')",
    ];
    expect(ref(cells)).toEqual({ visibility: 'public', hashId: 'later1' });
  });

  it('ignores calls in comments and strings, and other from_web', () => {
    const cells = [
      "# g = BlockGrid.from_web('comment')",
      '"""Remix of BlockGrid.from_web(\'docstr\')"""',
      'print("BlockGrid.from_web(\'instring\')")',
      "g = MyGrid.from_web('another')",
      "g = from_web('bare12')",
      'BlockGrid.from_web = None',
      'g = BlockGrid.from_web',
    ];
    expect(ref(cells)).toBeNull();
    expect(ref([...cells, "g = BlockGrid.from_web('real12')"])).toEqual({
      visibility: 'public',
      hashId: 'real12',
    });
  });

  it('keeps going past a line that does not tokenize (an unclosed string or bracket)', () => {
    expect(ref(["s = 'unclosed\ng = BlockGrid.from_web('after1')"])).toEqual({
      visibility: 'public',
      hashId: 'after1',
    });
    expect(ref(["g = BlockGrid.from_web('aB3dE9'"])).toBeNull();
  });

  it('has nothing for no code cells', () => {
    expect(ref(null)).toBeNull();
    expect(ref([])).toBeNull();
    expect(ref([''])).toBeNull();
  });
});
