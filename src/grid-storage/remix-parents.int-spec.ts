import { clientBody } from '../../test/support/grid-factory';
import { startTestModule, type TestModule } from '../../test/support/test-app';
import { GridStorageModule } from './grid-storage.module';
import { GridsRepository, type NewGrid } from './grids.repository';
import { HiddenGridsRepository } from './hidden-grids.repository';

function newGrid(overrides: Partial<NewGrid> = {}): NewGrid {
  return {
    ipbVersion: '1.9.0',
    pythonVersion: [3, 12, 1, 'final', 0],
    gridDataJson: JSON.stringify(clientBody().grid_data),
    codeCells: null,
    ipbClass: 'BlockGrid',
    secret: false,
    ...overrides,
  };
}

/** Which grid a grid remixes, as the grid tables keep it. */
describe('GridsRepository lineage', () => {
  let db: TestModule;
  let grids: GridsRepository;
  let hides: HiddenGridsRepository;

  beforeAll(async () => {
    db = await startTestModule([GridStorageModule]);
    grids = db.module.get(GridsRepository);
    hides = db.module.get(HiddenGridsRepository);
  });
  beforeEach(() =>
    db.dataSource.query('TRUNCATE public_grids, secret_grids, hidden_grids RESTART IDENTITY'),
  );
  // Other specs on this database reuse the grid ids: no hide may outlive this one.
  const findParent = async (visibility: 'public' | 'secret', id: number) =>
    (await grids.findLineages(visibility, [id], 1)).get(id)!.parent;
  afterAll(async () => {
    await db.dataSource.query('TRUNCATE hidden_grids');
    await db.close();
  });

  it('stores the parent a post names when it exists and is not hidden, else none', async () => {
    const publicParent = await grids.insert('public', newGrid());
    const secretParent = await grids.insert('secret', newGrid({ secret: true }));
    const hiddenParent = await grids.insert('public', newGrid());
    await hides.hide('public', hiddenParent, 'spam');

    const child = (parent: NewGrid['parent'], visibility: 'public' | 'secret' = 'public') =>
      grids.insert(visibility, newGrid({ parent, secret: visibility === 'secret' }));
    const a = await child({ visibility: 'public', id: publicParent });
    const b = await child({ visibility: 'secret', id: secretParent }, 'secret');
    const c = await child({ visibility: 'public', id: 99 });
    const d = await child({ visibility: 'public', id: hiddenParent });
    const e = await child(null);

    expect(await findParent('public', a)).toEqual({ visibility: 'public', id: publicParent });
    expect(await findParent('secret', b)).toEqual({ visibility: 'secret', id: secretParent });
    for (const id of [c, d, e]) expect(await findParent('public', id)).toBeNull();
    expect(await findParent('public', 1234)).toBeNull();
  });

  it('does not name a parent hidden since, and names it again once it is served again', async () => {
    const parent = await grids.insert('public', newGrid());
    const child = await grids.insert(
      'public',
      newGrid({ parent: { visibility: 'public', id: parent } }),
    );
    await hides.hide('public', parent, 'spam');
    expect(await findParent('public', child)).toBeNull();
    await hides.unhide('public', parent);
    expect(await findParent('public', child)).toEqual({ visibility: 'public', id: parent });
  });

  it('lists the public remixes of a grid newest first, without hidden ones, a page at a time', async () => {
    const parent = await grids.insert('secret', newGrid({ secret: true }));
    const of = { visibility: 'secret' as const, id: parent };
    const remixes: number[] = [];
    for (let i = 0; i < 5; i++) remixes.push(await grids.insert('public', newGrid({ parent: of })));
    // A secret remix is never listed; a remix of another grid with the same id is not this one's.
    await grids.insert('secret', newGrid({ secret: true, parent: of }));
    const samePublicId = await grids.insert('public', newGrid());
    expect(samePublicId).toBeGreaterThanOrEqual(parent);
    // remixes[0] has the id of the (secret) parent, in the other table: this remixes it.
    expect(remixes[0]).toBe(parent);
    const ofPublic = await grids.insert(
      'public',
      newGrid({ parent: { visibility: 'public', id: parent } }),
    );
    await hides.hide('public', remixes[3], 'spam');

    const ids = async (before: number | null, limit: number) =>
      (await grids.findRemixes(of, before, limit)).map((g) => g.id);
    expect(await ids(null, 10)).toEqual([remixes[4], remixes[2], remixes[1], remixes[0]]);
    expect(await ids(null, 2)).toEqual([remixes[4], remixes[2]]);
    expect(await ids(remixes[2], 2)).toEqual([remixes[1], remixes[0]]);
    expect(await ids(remixes[0], 2)).toEqual([]);
    // What pages read, in one round trip for many grids.
    const secrets = await grids.findLineages('secret', [parent, 99], 2);
    expect(secrets).toEqual(
      new Map([
        [parent, { parent: null, remixes: await grids.findRemixes(of, null, 2) }],
        [99, { parent: null, remixes: [] }],
      ]),
    );
    const publics = await grids.findLineages('public', [remixes[0], remixes[1], ofPublic], 2);
    expect(publics.get(remixes[0])!.parent).toEqual(of);
    expect(publics.get(remixes[0])!.remixes.map((g) => g.id)).toEqual([ofPublic]);
    expect(publics.get(remixes[1])).toEqual({ parent: of, remixes: [] });
    expect(publics.get(ofPublic)).toEqual({
      parent: { visibility: 'public', id: remixes[0] },
      remixes: [],
    });
    const [newest] = await grids.findRemixes(of, null, 1);
    expect(newest).toEqual({
      id: remixes[4],
      ipbClass: 'BlockGrid',
      width: 3,
      height: 2,
      createdAt: expect.any(Date) as Date,
    });
  });
});
