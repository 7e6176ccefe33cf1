import { startTestApp, type TestApp } from '../../test/support/test-app';
import { GridsRepository, type NewGrid } from './grids.repository';
import { HiddenGridSet } from './hidden-grid-set';
import { HiddenGridsRepository } from './hidden-grids.repository';
import { RandomGrids } from './random-grids';

const newGrid = (): NewGrid => ({
  ipbVersion: '1.9',
  pythonVersion: [3, 12, 0],
  gridDataJson: '{"lines_on":true,"width":1,"height":1,"blocks":[[[1,2,3,20]]]}',
  codeCells: null,
  ipbClass: 'BlockGrid',
  secret: false,
});

/** `/random`'s picks, a batch of ids at a time, against the real database. */
describe('RandomGrids', () => {
  let t: TestApp;
  let random: RandomGrids;
  let grids: GridsRepository;

  beforeAll(async () => {
    t = await startTestApp();
    await t.dataSource.query('TRUNCATE public_grids, secret_grids, hidden_grids RESTART IDENTITY');
    random = t.app.get(RandomGrids);
    grids = t.app.get(GridsRepository);
  });
  afterAll(async () => {
    await t.dataSource.query('TRUNCATE hidden_grids');
    await t.close();
  });

  it('finds none while there is no public grid, and the first one posted at once after', async () => {
    expect(await random.publicId()).toBeNull();
    await grids.insert('secret', { ...newGrid(), secret: true });
    expect(await random.publicId()).toBeNull();
    const id = await grids.insert('public', newGrid());
    expect(await random.publicId()).toBe(id);
  });

  // A server database tells every process of a hide (LISTEN); the embedded one is one process,
  // whose hides are made while it is stopped and read when it starts.
  (process.env.TEST_DATABASE_URL ? it : it.skip)(
    'never hands out a grid hidden after its id was fetched',
    async () => {
      const ids = [
        await grids.insert('public', newGrid()),
        await grids.insert('public', newGrid()),
      ];
      for (let i = 0; i < 64; i++) await random.publicId(); // a fresh batch holds both
      const [hide] = ids;
      await t.app.get(HiddenGridsRepository).hide('public', hide, 'spam');
      const set = t.app.get(HiddenGridSet);
      for (let i = 0; i < 100 && !set.isHidden('public', hide); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(set.isHidden('public', hide)).toBe(true);
      for (let i = 0; i < 200; i++) expect(await random.publicId()).not.toBe(hide);
    },
  );

  it('shares one query among requests that find the batch empty together', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => random.publicId()));
    expect(answers.every((id) => id !== null)).toBe(true);
  });
});
