import { GridPostValidationPipe } from './grid-post.pipe';
import { fields, limits, post, validateGridPost } from '../../test/support/grid-post';

describe('GridPostValidationPipe', () => {
  const pipe = new GridPostValidationPipe(limits);

  it('answers the post in the app terms, with grid_data as sent (its unknown keys too)', async () => {
    const body = post({ from_the_future: 1 });
    const grid = { ...body.grid_data, note: 'kept', __proto__: 'a key' };
    expect(await pipe.transform({ ...body, grid_data: grid }, { type: 'body' })).toEqual({
      pythonVersion: [3, 11, 2, 'final', 0],
      ipbVersion: '1.9.0',
      ipbClass: 'BlockGrid',
      codeCells: ['g.show()'],
      secret: false,
      gridDataJson: JSON.stringify(grid),
      remixOf: null,
    });
  });

  it('reads remix_of as the grid it names; absent and null are none', async () => {
    const remixOf = async (value: unknown) =>
      (await pipe.transform(post(value === undefined ? {} : { remix_of: value }), { type: 'body' }))
        .remixOf;
    expect(await remixOf('aB3dE9')).toEqual({ visibility: 'public', hashId: 'aB3dE9' });
    expect(await remixOf('secret/MiXoi4')).toEqual({ visibility: 'secret', hashId: 'MiXoi4' });
    expect(await remixOf(undefined)).toBeNull();
    expect(await remixOf(null)).toBeNull();
    expect(await validateGridPost(post({ remix_of: 'x/y' }))).toEqual([
      {
        field: 'remix_of',
        message:
          'must be "<hashid>" or "secret/<hashid>", the id of the grid this one remixes (got "x/y")',
      },
    ]);
  });

  it.each([null, [post()], 'post', 3])(
    'refuses %p as the body: it must be an object',
    async (body) => {
      expect(await validateGridPost(body)).toEqual([
        { field: '(body)', message: 'must be a JSON object' },
      ]);
    },
  );

  it('lists missing keys, wrong fields, blocks, code cell limits, then unstorable strings', async () => {
    const bad = post({
      python_version: [3, 11, 2, '\u0000', 0],
      code_cells: ['a', 'b', 'c', 'd'],
      secret: 'no',
      grid_data: { ...post().grid_data, width: 3, note: '\u0000' },
    });
    delete (bad as Partial<typeof bad>).ipb_class;
    expect(await fields(bad)).toEqual([
      'ipb_class',
      'secret',
      'grid_data.blocks[0]',
      'code_cells',
      'python_version[3]',
      'grid_data.note',
    ]);
  });

  it('lists at most 20 unstorable strings in all, whichever fields hold them', async () => {
    const nul = (n: number) => Array.from({ length: n }, () => '\u0000');
    const bad = post({ code_cells: nul(3), grid_data: { ...post().grid_data, note: nul(30) } });
    const errors = await validateGridPost(bad, { ...limits, maxCodeCells: 10 });
    expect(errors.map((e) => e.field)).toEqual([
      ...['code_cells[0]', 'code_cells[1]', 'code_cells[2]'],
      ...Array.from({ length: 17 }, (_, i) => `grid_data.note[${i}]`),
    ]);
  });

  it('looks at no block while the grid’s own fields are wrong', async () => {
    const grid = { ...post().grid_data, lines_on: 'yes', blocks: [[[999, 0, 0, 1]]] };
    expect(await fields(post({ grid_data: grid }))).toEqual(['grid_data.lines_on']);
  });

  it('is not fooled by a grid_data key named constructor', async () => {
    const grid = { constructor: 1, lines_on: true, width: 'two', height: 1, blocks: [] };
    expect(await fields(post({ grid_data: grid }))).toEqual(['grid_data.width']);
  });

  it('holds each post to the limits of its own pipe', async () => {
    const cells = post({ code_cells: ['a', 'b', 'c', 'd'] });
    expect(await fields(cells)).toEqual(['code_cells']);
    expect(await validateGridPost(cells, { ...limits, maxCodeCells: 4 })).toEqual([]);
    expect(await fields(cells)).toEqual(['code_cells']);
  });
});
