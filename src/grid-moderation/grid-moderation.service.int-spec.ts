import { clientBody } from '../../test/support/grid-factory';
import { startTestModule, type TestModule } from '../../test/support/test-app';
import { testConfig } from '../../test/support/test-config';
import { GridIds } from '../grid-storage/grid-ids';
import { GridsRepository, type NewGrid } from '../grid-storage/grids.repository';
import { HiddenGridsRepository } from '../grid-storage/hidden-grids.repository';
import { GridModerationModule } from './grid-moderation.module';
import { GridModerationService, ModerationError } from './grid-moderation.service';

function newGrid(secret = false): NewGrid {
  return {
    ipbVersion: '1.9.0',
    pythonVersion: [3, 12, 1, 'final', 0],
    gridDataJson: JSON.stringify(clientBody().grid_data),
    codeCells: ['grid = BlockGrid(3, 2)'],
    ipbClass: 'BlockGrid',
    secret,
  };
}

/** The `grid` commands' service against the real database (the local server or the embedded one). */
describe('GridModerationService', () => {
  let db: TestModule;
  let moderation: GridModerationService;
  let grids: GridsRepository;
  let hidden: HiddenGridsRepository;
  let ids: GridIds;

  beforeAll(async () => {
    db = await startTestModule(
      [GridModerationModule],
      testConfig({ PUBLIC_URL: 'http://www.example.org' }),
    );
    moderation = db.module.get(GridModerationService);
    grids = db.module.get(GridsRepository);
    hidden = db.module.get(HiddenGridsRepository);
    ids = db.module.get(GridIds);
  });
  beforeEach(() =>
    db.dataSource.query('TRUNCATE public_grids, secret_grids, hidden_grids RESTART IDENTITY'),
  );
  // Other suites on a shared server database empty the grid tables and reuse their ids.
  afterAll(async () => {
    await db.dataSource.query('TRUNCATE hidden_grids');
    await db.close();
  });

  /** Fails with the ModerationError `work` throws, as its exit status and message. */
  async function failure(work: Promise<unknown>): Promise<{ exitCode: number; message: string }> {
    const err = await work.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModerationError);
    return { exitCode: (err as ModerationError).exitCode, message: (err as Error).message };
  }

  it('hides a grid named by its page URL: recorded with when and why, out of random and recent, its row kept', async () => {
    const keep = await grids.insert('public', newGrid());
    const id = await grids.insert('public', newGrid());
    const hashId = ids.encode('public', id);
    const before = Date.now();

    const text = await moderation.hide(`http://localhost:3000/${hashId}`, '  personal data  ');

    expect(text).toContain(`hidden: public grid ${hashId} (http://www.example.org/${hashId})`);
    expect(text).toContain('reason: personal data');
    const record = (await hidden.find('public', id))!;
    expect(record.reason).toBe('personal data');
    expect(record.hiddenAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await grids.findById('public', id)).not.toBeNull();
    expect((await grids.findRecentPublic(null, 10)).map((g) => g.id)).toEqual([keep]);
    expect(new Set(await grids.findRandomPublicIds(50))).toEqual(new Set([keep]));
  });

  it('finds no random grid when every public grid is hidden', async () => {
    const id = await grids.insert('public', newGrid());
    await moderation.hide(ids.encode('public', id), 'spam');
    expect(await grids.findRandomPublicIds(10)).toEqual([]);
  });

  it('hides again with a new reason, keeping when it was first hidden', async () => {
    const id = await grids.insert('public', newGrid());
    const hashId = ids.encode('public', id);
    await moderation.hide(hashId, 'first');
    const first = (await hidden.find('public', id))!;

    const text = await moderation.hide(`/get/${hashId}`, 'second');

    expect(text).toContain('was already hidden');
    expect(text).toContain('reason was: first');
    expect(await hidden.find('public', id)).toEqual({ ...first, reason: 'second' });
  });

  it('names a secret grid as secret/<id> or by its /secret/ and /get/secret/ URLs, apart from the public grid of the same id', async () => {
    const publicId = await grids.insert('public', newGrid());
    const secretId = await grids.insert('secret', newGrid(true));
    const hashId = ids.encode('secret', secretId);

    await moderation.hide(`secret/${hashId}`, 'a teacher asked');
    expect(await hidden.find('secret', secretId)).not.toBeNull();
    expect(await hidden.find('public', publicId)).toBeNull();
    expect(await moderation.unhide(`http://example.org/get/secret/${hashId}`)).toContain(
      'served again',
    );
    await moderation.hide(`/secret/${hashId}.png`, 'again');
    expect((await hidden.find('secret', secretId))!.reason).toBe('again');
  });

  it('unhides: the grid is listed again; unhiding a grid that is not hidden changes nothing', async () => {
    const id = await grids.insert('public', newGrid());
    const hashId = ids.encode('public', id);
    await moderation.hide(hashId, 'spam');

    expect(await moderation.unhide(hashId)).toContain(`served again: public grid ${hashId}`);
    expect(await hidden.find('public', id)).toBeNull();
    expect(await grids.findRandomPublicIds(3)).toEqual([id, id, id]);
    expect(await moderation.unhide(hashId)).toContain('is not hidden: nothing to do');
  });

  it('shows what is stored, when it was posted, and whether it is hidden and why', async () => {
    const id = await grids.insert('public', newGrid());
    const hashId = ids.encode('public', id);
    const served = await moderation.show(hashId);
    expect(served).toContain(`public grid ${hashId} (http://www.example.org/${hashId})`);
    expect(served).toMatch(/status: +served/);
    expect(served).toMatch(/posted: +\d{4}-\d\d-\d\dT/);
    expect(served).toMatch(/class: +BlockGrid, 3 x 2 blocks/);
    expect(served).toMatch(/code cells: +1/);

    await moderation.hide(hashId, 'spam');
    expect(await moderation.show(hashId)).toMatch(/status: +HIDDEN since \d{4}-.*: spam/);

    const [{ id: imported }] = await db.dataSource.query<{ id: number }[]>(
      `INSERT INTO secret_grids (ipb_version, python_version, grid_data, code_cells, ipb_class, secret, created_at)
       VALUES ('0.6', '"2.7.6"', '{"width": 1, "height": 1, "blocks": []}', NULL, 'BlockGrid', true, NULL) RETURNING id`,
    );
    expect(await moderation.show(`secret/${ids.encode('secret', imported)}`)).toMatch(
      /posted: +unknown \(imported/,
    );
  });

  it('lists the hidden grids with when and why, the most recent first', async () => {
    expect(await moderation.listHidden()).toBe('no hidden grids\n');
    const a = ids.encode('public', await grids.insert('public', newGrid()));
    const b = ids.encode('secret', await grids.insert('secret', newGrid(true)));
    await moderation.hide(a, 'spam');
    await moderation.hide(`secret/${b}`, 'personal data');

    const lines = (await moderation.listHidden()).trimEnd().split('\n');
    expect(lines[0]).toBe('2 hidden grids:');
    expect(lines[1]).toMatch(
      new RegExp(`^\\d{4}-\\S+ +http://www\\.example\\.org/secret/${b} +personal data$`),
    );
    expect(lines[2]).toMatch(new RegExp(`^\\d{4}-\\S+ +http://www\\.example\\.org/${a} +spam$`));
  });

  it('refuses what names no grid (exit status 2) and ids no grid has (1), storing nothing', async () => {
    const secretId = await grids.insert('secret', newGrid(true));
    const secretHash = ids.encode('secret', secretId);

    expect(await failure(moderation.hide('http://example.org/about/us', 'x'))).toEqual({
      exitCode: 2,
      message: expect.stringContaining('not a grid URL or id') as string,
    });
    expect(await failure(moderation.show('zzzzzz'))).toEqual({
      exitCode: 1,
      message: 'no public grid has the id zzzzzz (a secret grid is named secret/<id>)',
    });
    // A secret grid's id given as a public one names no grid.
    expect((await failure(moderation.hide(secretHash, 'x'))).exitCode).toBe(1);
    expect((await failure(moderation.unhide(ids.encode('public', 99)))).exitCode).toBe(1);
    expect(await hidden.list()).toEqual([]);
  });

  it.each([
    ['empty', '   ', /--reason "..." must say why/],
    ['too long', 'x'.repeat(1001), /at most 1000/],
    ['a NUL', 'bad\u0000reason', /NUL character/],
  ])(
    'refuses a reason that is %s (exit status 2), storing nothing',
    async (_what, reason, says) => {
      const hashId = ids.encode('public', await grids.insert('public', newGrid()));
      const { exitCode, message } = await failure(moderation.hide(hashId, reason));
      expect(exitCode).toBe(2);
      expect(message).toMatch(says);
      expect(await hidden.list()).toEqual([]);
    },
  );
});
