import { fields, limits, post, validateGridPost } from '../../test/support/grid-post';

describe('validateGridPost', () => {
  it('accepts what the client sends, and ignores unknown keys', async () => {
    expect(await validateGridPost(post({ from_the_future: 1 }), limits)).toEqual([]);
    expect(
      await validateGridPost(post({ code_cells: null, ipb_class: 'ImageGrid' }), limits),
    ).toEqual([]);
  });

  it.each([
    ['python_version', { python_version: [3, 11, 2] }],
    ['python_version', { python_version: '3.11.2' }],
    ['python_version', { python_version: [3, 11, 2, { x: 1 }, 0] }],
    ['ipb_version', { ipb_version: 'latest' }],
    ['ipb_version', { ipb_version: 19 }],
    ['ipb_class', { ipb_class: 'Grid' }],
    ['code_cells', { code_cells: [] }],
    ['code_cells', { code_cells: 'grid.show()' }],
    ['code_cells', { code_cells: [1] }],
    ['secret', { secret: 'false' }],
    ['grid_data', { grid_data: [] }],
  ])('names %s when it is wrong', async (field, patch) => {
    expect(await fields(post(patch))).toEqual([field]);
  });

  it('names every missing key', async () => {
    expect(await fields({})).toEqual([
      'python_version',
      'ipb_version',
      'ipb_class',
      'code_cells',
      'secret',
      'grid_data',
    ]);
  });

  it('names the grid_data scalars', async () => {
    const grid = { lines_on: 1, width: 0, height: 1.5, blocks: [] };
    expect(await fields(post({ grid_data: grid }))).toEqual([
      'grid_data.lines_on',
      'grid_data.width',
      'grid_data.height',
    ]);
  });

  it.each([
    ['code_cells[1]', { code_cells: ['ok', 'a\u0000'] }],
    ['ipb_version', { ipb_version: '1.9.0\u0000' }],
    ['python_version[3]', { python_version: [3, 11, 2, 'fin\udc00al', 0] }],
    ['grid_data.note', { grid_data: { ...post().grid_data, note: '\u0000' } }],
    ['grid_data["k\\ud800"]', { grid_data: { ...post().grid_data, 'k\ud800': 1 } }],
  ])('names %s when it holds a string Postgres cannot store', async (field, patch) => {
    expect(await fields(post(patch))).toEqual([field]);
  });

  it('looks no further than 20 unstorable strings, and not under unknown top-level keys', async () => {
    const note = Array.from({ length: 50 }, () => '\u0000');
    expect(await fields(post({ grid_data: { ...post().grid_data, note } }))).toHaveLength(20);
    expect(await fields(post({ from_the_future: '\u0000' }))).toEqual([]);
  });

  it('enforces the code cell limits by name', async () => {
    const errors = await validateGridPost(
      post({ code_cells: ['a', 'b', 'c', 'this is too long'] }),
      limits,
    );
    expect(errors.map((e) => e.message).join(' ')).toContain('MAX_CODE_CELLS');
    expect(errors.map((e) => e.message).join(' ')).toContain('MAX_CODE_CELL_CHARS');
  });

  it('bounds the characters of all the code cells together', async () => {
    const within = await validateGridPost(post({ code_cells: ['123456789', '123456789'] }), limits);
    expect(within).toEqual([]);
    const over = await validateGridPost(
      post({ code_cells: ['123456789', '123456789', '123456789'] }),
      limits,
    );
    expect(over).toEqual([
      { field: 'code_cells', message: 'hold 27 characters in all, more than 25 (MAX_CODE_CHARS)' },
    ]);
  });
});

describe('the blocks of grid_data (BlocksFitGrid)', () => {
  const checkBlocks = (grid_data: unknown) => validateGridPost(post({ grid_data }));
  const grid = (width: number, height: number, blocks: unknown) => ({
    lines_on: true,
    width,
    height,
    blocks,
  });

  it('wants exactly height rows of width blocks', async () => {
    expect(
      await checkBlocks(
        grid(2, 2, [
          [
            [0, 0, 0, 1],
            [0, 0, 0, 1],
          ],
        ]),
      ),
    ).toEqual([{ field: 'grid_data.blocks', message: 'has 1 rows but height is 2' }]);
    expect(await checkBlocks(grid(2, 1, [[[0, 0, 0, 1]]]))).toEqual([
      { field: 'grid_data.blocks[0]', message: 'has 1 blocks but width is 2' },
    ]);
  });

  it('checks each block: colours 0..255, size 1..MAX_BLOCK_SIZE', async () => {
    const errors = await checkBlocks(
      grid(4, 1, [
        [
          [256, 0, 0, 1],
          [0, -1, 0, 1],
          [0, 0, 0.5, 1],
          [0, 0, 0, 51],
        ],
      ]),
    );
    expect(errors.map((e) => e.field)).toEqual([
      'grid_data.blocks[0][0][0]',
      'grid_data.blocks[0][1][1]',
      'grid_data.blocks[0][2][2]',
      'grid_data.blocks[0][3][3]',
    ]);
    expect(errors[3].message).toContain('MAX_BLOCK_SIZE');
  });

  it('refuses grids over MAX_BLOCKS before looking at a block', async () => {
    const errors = await checkBlocks(grid(11, 10, []));
    expect(errors.map((e) => e.field)).toEqual(['grid_data']);
    expect(errors[0].message).toContain('MAX_BLOCKS');
  });

  it('reports at most 20 bad blocks, then counts the rest', async () => {
    const row = Array.from({ length: 10 }, () => [999, 0, 0, 1]);
    const errors = await checkBlocks(grid(10, 3, [row, row, row]));
    expect(errors).toHaveLength(21);
    expect(errors[20]).toEqual({
      field: 'grid_data.blocks',
      message: 'and 10 more invalid blocks',
    });
  });
});
