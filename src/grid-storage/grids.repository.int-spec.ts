import { clientBody } from '../../test/support/grid-factory';
import { startTestModule, type TestModule } from '../../test/support/test-app';
import { GridStorageModule } from './grid-storage.module';
import { GridsRepository, type NewGrid } from './grids.repository';
import { gridDrawing } from './stored-grid';

/** A grid as a post stores it. */
function newGrid(overrides: Partial<NewGrid> = {}): NewGrid {
  const body = clientBody();
  return {
    ipbVersion: '1.9.0',
    pythonVersion: [3, 12, 1, 'final', 0],
    gridDataJson: JSON.stringify(body.grid_data),
    codeCells: ['grid = BlockGrid(3, 2)'],
    ipbClass: 'BlockGrid',
    secret: false,
    ...overrides,
  };
}

/** The repository against the real database (the local server, or the embedded one). */
describe('GridsRepository', () => {
  let db: TestModule;
  let grids: GridsRepository;

  beforeAll(async () => {
    db = await startTestModule([GridStorageModule]);
    grids = db.module.get(GridsRepository);
  });
  beforeEach(() => db.dataSource.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY'));
  afterAll(() => db.close());

  it('stores a post and reads it back as the read model, grid_data as the JSON text stored', async () => {
    const posted = newGrid();
    const id = await grids.insert('public', posted);
    const stored = await grids.findById('public', id);
    expect(stored).toMatchObject({
      id,
      visibility: 'public',
      ipbVersion: '1.9.0',
      pythonVersion: [3, 12, 1, 'final', 0],
      codeCells: ['grid = BlockGrid(3, 2)'],
      ipbClass: 'BlockGrid',
    });
    expect(stored!.createdAt).toBeInstanceOf(Date);
    expect(JSON.parse(stored!.gridDataJson)).toEqual(JSON.parse(posted.gridDataJson));
    expect(await grids.findGridDataJson('public', id)).toBe(stored!.gridDataJson);
  });

  it('keeps public and secret grids apart, each table with its own ids', async () => {
    const publicId = await grids.insert('public', newGrid());
    const secretId = await grids.insert('secret', newGrid({ secret: true, ipbVersion: '2.0' }));
    expect([publicId, secretId]).toEqual([1, 1]);
    expect((await grids.findById('secret', secretId))!.ipbVersion).toBe('2.0');
    expect(await grids.count('public')).toBe(1);
    expect(await grids.count('secret')).toBe(1);
  });

  it('finds nothing for an id no row has', async () => {
    expect(await grids.findById('public', 42)).toBeNull();
    expect(await grids.findGridDataJson('secret', 42)).toBeNull();
    expect(await grids.findCodeCells('public', 42)).toBeNull();
  });

  it('stores "no code cells" as SQL NULL and reads it as an empty list', async () => {
    const id = await grids.insert('public', newGrid({ codeCells: null }));
    const [row] = await db.dataSource.query<{ none: boolean }[]>(
      'SELECT code_cells IS NULL AS none FROM public_grids WHERE id = $1',
      [id],
    );
    expect(row.none).toBe(true);
    expect((await grids.findById('public', id))!.codeCells).toEqual([]);
    expect(await grids.findCodeCells('public', id)).toEqual([]);
  });

  it('reads an old row in one shape: odd class, odd cells, a date it never had, odd grid_data', async () => {
    const odd = { lines_on: 1, width: '2', height: 1, blocks: [[['9', 8.7, null, 0]], 'no row'] };
    const [{ id }] = await db.dataSource.query<{ id: number }[]>(
      `INSERT INTO public_grids (ipb_version, python_version, grid_data, code_cells, ipb_class, secret, created_at)
       VALUES ('0.6', '"2.7.6"', $1, '[1, "a"]', 'blockgrid', false, NULL) RETURNING id`,
      [JSON.stringify(odd)],
    );
    const stored = (await grids.findById('public', id))!;
    expect(stored).toMatchObject({
      pythonVersion: '2.7.6',
      codeCells: ['1', 'a'],
      ipbClass: 'BlockGrid',
      createdAt: null,
    });
    // grid_data's quirks are normalised once, when it is drawn.
    expect(gridDrawing(JSON.parse(stored.gridDataJson))).toEqual({
      linesOn: true,
      rows: [[[9, 8, 0, 20]], []],
      blocks: 1,
      width: '2',
      height: 1,
    });
  });

  it('picks a random public grid, never a secret one, and none from an empty table', async () => {
    expect(await grids.findRandomPublicIds(10)).toEqual([]);
    await grids.insert('secret', newGrid({ secret: true }));
    expect(await grids.findRandomPublicIds(10)).toEqual([]);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await grids.insert('public', newGrid()));
    const picked = await grids.findRandomPublicIds(100);
    expect(picked).toHaveLength(100);
    expect(picked.every((id) => ids.includes(id))).toBe(true);
    expect(new Set(picked).size).toBeGreaterThan(1);
  });

  it('lists recent public grids newest first, a page at a time (keyset on the id)', async () => {
    for (let i = 0; i < 5; i++) await grids.insert('public', newGrid());
    await grids.insert('secret', newGrid({ secret: true }));
    const first = await grids.findRecentPublic(null, 2);
    expect(first.map((g) => g.id)).toEqual([5, 4]);
    expect(first[0]).toMatchObject({ ipbClass: 'BlockGrid', width: 3, height: 2 });
    expect(first[0].createdAt).toBeInstanceOf(Date);
    const next = await grids.findRecentPublic(4, 10);
    expect(next.map((g) => g.id)).toEqual([3, 2, 1]);
  });
});
