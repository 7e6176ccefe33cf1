import { Logger } from '@nestjs/common';
import { startTestModule, type TestModule } from '../../test/support/test-app';
import type { Visibility } from './grid-data';
import { GridStorageModule } from './grid-storage.module';
import { GridsRepository } from './grids.repository';
import { LegacyGridWriter, type LegacyImportSession } from './legacy-grid.writer';
import { legacyRowHash, type LegacyGridRow } from './legacy-rows';

/** A legacy row as the import hands it over: jsonb columns as the text Postgres prints for them. */
function legacyRow(id: number, overrides: Partial<LegacyGridRow> = {}): LegacyGridRow {
  const row = {
    id,
    ipbVersion: '1.6',
    pythonVersion: '[2, 7, 6, "final", 0]',
    gridData: `{"width": 1, "blocks": [[[${id % 256}, 2, 3, 20]]], "height": 1, "lines_on": true}`,
    codeCells: '["grid = BlockGrid(1, 1)"]',
    ipbClass: 'BlockGrid',
    secret: false,
    ...overrides,
  };
  return { ...row, rowHash: legacyRowHash(row) };
}

const rows = (...ids: number[]) => ids.map((id) => legacyRow(id));
const WRITE = { dryRun: false, overwrite: false };

/** The legacy import's writer against the real database (the local server, or the embedded one). */
describe('LegacyGridWriter', () => {
  let db: TestModule;
  let writer: LegacyGridWriter;

  beforeAll(async () => {
    db = await startTestModule([GridStorageModule]);
    writer = db.module.get(LegacyGridWriter);
  });
  beforeEach(() => db.dataSource.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY'));
  afterAll(() => db.close());

  // Closed before the test looks: the embedded database serves one connection, a session's.
  async function inSession<T>(work: (session: LegacyImportSession) => Promise<T>): Promise<T> {
    const session = await writer.openSession();
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  }
  const insert = (...args: Parameters<LegacyImportSession['insertLegacyBatch']>) =>
    inSession((s) => s.insertLegacyBatch(...args));

  const stored = (visibility: Visibility) =>
    db.dataSource.query<Record<string, unknown>[]>(
      `SELECT id, ipb_version, python_version::text, grid_data::text, code_cells::text, ipb_class,
              secret, created_at
       FROM ${visibility}_grids ORDER BY id`,
    );
  const hashes = (visibility: Visibility, after: number, upTo: number, limit: number) =>
    inSession((s) => s.rowHashes(visibility, after, upTo, limit));

  it('opens and closes a session without an error in the log, on a database with lz4 or without', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error');
    const errors = await insert('public', rows(1), WRITE)
      .then(() => [...logged.mock.calls])
      .finally(() => logged.mockRestore());
    expect(errors).toEqual([]);
  });

  it('writes a batch at the rows’ own ids, undated, exactly as given, and counts it imported', async () => {
    const batch = [legacyRow(3), legacyRow(7, { codeCells: null, secret: true })];

    const outcome = await insert('secret', batch, WRITE);

    expect(outcome).toEqual({ imported: 2, present: 0, overwritten: [], conflicts: [] });
    expect(await stored('secret')).toEqual(
      batch.map((r) => ({
        id: r.id,
        ipb_version: r.ipbVersion,
        python_version: r.pythonVersion,
        grid_data: r.gridData,
        code_cells: r.codeCells,
        ipb_class: r.ipbClass,
        secret: r.secret,
        created_at: null,
      })),
    );
    expect(await stored('public')).toEqual([]);
  });

  it('computes in SQL the same row hash the import computes from the row it sent', async () => {
    const batch = [
      legacyRow(1),
      legacyRow(2, { codeCells: null }),
      legacyRow(3, { ipbVersion: 'quote " backslash \\ tab \t newline \n é 🎨', secret: true }),
      legacyRow(4, {
        gridData: '{"note": "a\\tb\\\\c\\n", "width": 0, "blocks": [], "height": 0}',
      }),
    ];
    await insert('public', batch, WRITE);

    expect(await hashes('public', 0, 1000, 1000)).toEqual(
      batch.map((r) => ({ id: r.id, hash: r.rowHash })),
    );
  });

  it('pages the hashes by id: after (exclusive), up to (inclusive), at most limit', async () => {
    await insert('public', rows(1, 2, 4, 5, 9), WRITE);

    expect((await hashes('public', 1, 9, 2)).map((r) => r.id)).toEqual([2, 4]);
    expect((await hashes('public', 4, 5, 10)).map((r) => r.id)).toEqual([5]);
  });

  it('leaves present rows alone, reports other content at a taken id as a conflict, and --overwrite replaces it', async () => {
    await insert('public', rows(1, 2, 3), WRITE);
    const changed = [legacyRow(1), legacyRow(2, { ipbVersion: 'other' }), legacyRow(4)];

    const again = await insert('public', changed, WRITE);

    expect(again).toEqual({ imported: 1, present: 1, overwritten: [], conflicts: [2] });
    expect((await stored('public')).find((r) => r.id === 2)?.ipb_version).toBe('1.6');

    const overwrite = await insert('public', changed, {
      dryRun: false,
      overwrite: true,
    });

    expect(overwrite).toEqual({ imported: 0, present: 2, overwritten: [2], conflicts: [] });
    expect((await stored('public')).find((r) => r.id === 2)?.ipb_version).toBe('other');
  });

  it('a dry run reports what a batch would do and writes nothing', async () => {
    await insert('public', rows(1), WRITE);
    const before = await stored('public');

    const outcome = await insert('public', rows(1, 2, 3), {
      dryRun: true,
      overwrite: false,
    });

    expect(outcome).toEqual({ imported: 2, present: 1, overwritten: [], conflicts: [] });
    expect(await stored('public')).toEqual(before);
  });

  it('writes nothing of a batch that fails, and the session goes on with the next', async () => {
    await insert('public', rows(1), WRITE);
    const broken = [legacyRow(2), legacyRow(3, { gridData: '{"width": ' })];

    const next = await inSession(async (session) => {
      await expect(session.insertLegacyBatch('public', broken, WRITE)).rejects.toThrow(/json/i);
      expect(await session.rowHashes('public', 0, 10, 10)).toHaveLength(1);
      return session.insertLegacyBatch('public', rows(2, 3), WRITE);
    });

    expect(next).toMatchObject({ imported: 2 });
    expect((await stored('public')).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('writes a batch of many chunks (COPY or INSERT) whole, pulling the rows from a generator', async () => {
    const generated = (function* () {
      for (let id = 1; id <= 1200; id++) yield legacyRow(id);
    })();

    const outcome = await insert('public', generated, WRITE);

    expect(outcome.imported).toBe(1200);
    const [{ n }] = await db.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM public_grids',
    );
    expect(n).toBe(1200);
  });

  describe('reserveIds: the file’s ids are its own before the first row is written', () => {
    let grids: GridsRepository;
    beforeAll(() => (grids = db.module.get(GridsRepository)));

    /** A grid posted through the site: dated, at the sequence's next id. */
    const post = (visibility: Visibility) =>
      grids.insert(visibility, {
        ...{ ipbVersion: '1.9.0', pythonVersion: [3, 12, 1, 'final', 0], codeCells: null },
        ...{ gridDataJson: '{"width": 0, "height": 0, "blocks": []}', ipbClass: 'BlockGrid' },
        secret: visibility === 'secret',
      });
    const sequence = async (visibility: Visibility) =>
      (
        await db.dataSource.query<{ n: string | null }[]>(
          `SELECT pg_sequence_last_value('${visibility}_grids_id_seq') AS n`,
        )
      )[0].n;
    const reserve = (dryRun = false, renumberPosted = false) =>
      inSession((s) => s.reserveIds({ public: 50, secret: 20 }, { dryRun, renumberPosted }));

    it('moves each sequence past the file’s highest id, so the next post gets an id above it', async () => {
      expect(await reserve()).toEqual({ outcome: 'reserved', moved: {} });

      expect(await post('public')).toBe(51);
      expect(await post('secret')).toBe(21);
    });

    it('never moves a sequence back, and counts imported rows (undated) as the file’s own', async () => {
      await insert('public', rows(1, 80), WRITE);

      expect(await reserve()).toEqual({ outcome: 'reserved', moved: {} });

      expect(await post('public')).toBe(81);
    });

    it('refuses, naming the posted grids at ids the file needs, and changes nothing', async () => {
      await post('public');
      await post('public');
      await post('secret');
      const before = [await sequence('public'), await sequence('secret')];

      expect(await reserve()).toEqual({
        outcome: 'posted-in-range',
        posted: { public: [1, 2], secret: [1] },
      });
      expect([await sequence('public'), await sequence('secret')]).toEqual(before);
    });

    it('with renumberPosted, moves the posted grids to fresh ids past the file’s, in id order', async () => {
      await post('public');
      await post('public');

      expect(await reserve(false, true)).toEqual({
        outcome: 'reserved',
        moved: {
          public: [
            { from: 1, to: 51 },
            { from: 2, to: 52 },
          ],
        },
      });
      const ids = await db.dataSource.query<{ id: number }[]>('SELECT id FROM public_grids');
      expect(ids.map((r) => r.id).sort((a, b) => a - b)).toEqual([51, 52]);
      expect(await post('public')).toBe(53);
    });

    it('a dry run only looks: it names posted grids in the range and reserves nothing', async () => {
      const before = await sequence('public');
      expect(await reserve(true)).toEqual({ outcome: 'checked' });
      expect(await sequence('public')).toBe(before);

      await post('secret');
      expect(await reserve(true, true)).toEqual({
        outcome: 'posted-in-range',
        posted: { secret: [1] },
      });
      expect(await db.dataSource.query('SELECT id FROM secret_grids')).toEqual([{ id: 1 }]);
    });
  });
});
