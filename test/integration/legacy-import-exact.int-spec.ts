import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientPostFixtures } from '../support/fixtures';
import { startTestModule, type TestModule } from '../support/test-app';
import { LegacyImportModule } from '../../src/legacy-import/legacy-import.module';
import { LegacyImportService } from '../../src/legacy-import/legacy-import.service';
import type { ImportReport } from '../../src/legacy-import/import-report';
import { Sqlite as Database } from '../../src/legacy-import/sqlite-driver';

/**
 * Rows the old site's file may hold that JavaScript would read as something else (numbers past a
 * double) or that name a grid twice or not at all (a repeated or fractional id, possible when the
 * table's id is not an INTEGER PRIMARY KEY): each is a reject with its reason, the rest of the
 * file is imported, and the summary's counts and verification are right.
 */
describe('import-sqlite: rows kept exactly, or rejected', () => {
  let m: TestModule;
  let importer: LegacyImportService;
  const tmp = mkdtempSync(join(tmpdir(), 'ipb-legacy-exact-'));
  let files = 0;

  beforeAll(async () => {
    m = await startTestModule([LegacyImportModule]);
    importer = m.module.get(LegacyImportService);
  });
  afterAll(() => m.close());
  beforeEach(() => m.dataSource.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY'));

  const gridData = clientPostFixtures[0].grid_data;
  const gridText = (extra = '') => JSON.stringify(gridData).replace(/^\{/, `{${extra}`);

  /** A legacy file whose public_grids has `id` with no type (anything goes) and these rows. */
  function legacyFile(rows: { id: number; grid: string }[]): string {
    const file = join(tmp, `legacy-${++files}.db`);
    const db = new Database(file);
    for (const table of ['public_grids', 'secret_grids']) {
      db.exec(
        `CREATE TABLE ${table} (id, ipb_version TEXT, python_version TEXT, grid_data TEXT,
         secret BOOLEAN, code_cells TEXT, ipb_class TEXT)`,
      );
    }
    const insert = db.prepare(
      `INSERT INTO public_grids VALUES (?, '1.9', '[2, 7, 6, "final", 0]', ?, 0, NULL, 'BlockGrid')`,
    );
    // Whole ids as SQLite integers (a JavaScript number would be bound as a REAL).
    for (const row of rows) {
      insert.run(Number.isInteger(row.id) ? BigInt(row.id) : row.id, row.grid);
    }
    db.close();
    return file;
  }

  const run = (file: string): Promise<ImportReport> =>
    importer.run({ file, rejectsFile: join(tmp, `rejects-${++files}.jsonl`), only: 'public' });

  async function storedIds(): Promise<number[]> {
    const rows = await m.dataSource.query<{ id: number }[]>(
      'SELECT id FROM public_grids ORDER BY id',
    );
    return rows.map((r) => r.id);
  }

  it('rejects a row whose numbers JavaScript would change, naming them, and imports the rest', async () => {
    const file = legacyFile([
      { id: 1, grid: gridText() },
      { id: 2, grid: gridText('"big": 123456789012345678901234567890123, ') },
      { id: 3, grid: gridText('"huge": 1e400, ') },
      { id: 4, grid: gridText('"fine": 1.5e3, ') },
    ]);
    for (let attempt = 0; attempt < 2; attempt++) {
      const report = await run(file);
      expect(report.error).toBeUndefined();
      expect(report.exitCode).toBe(1);
      const [table] = report.tables;
      expect(table).toMatchObject({ read: 4, rejected: 2 });
      expect(table.rejects).toEqual([
        {
          id: '2',
          reason: expect.stringMatching(
            /grid_data\.big .*123456789012345678901234567890123/,
          ) as string,
        },
        { id: '3', reason: expect.stringMatching(/grid_data\.huge .*1e400/) as string },
      ]);
      expect(table.verification?.ok).toBe(true);
      expect(await storedIds()).toEqual([1, 4]);
    }
  });

  it('rejects rows past the size every route can draw (a post’s limits), before parsing them', async () => {
    const side = 1000;
    const row = JSON.stringify(Array.from({ length: side }, () => [0, 0, 0, 20]));
    const huge = `{"width": ${side}, "height": ${side}, "lines_on": true, "blocks": [${Array(side).fill(row).join(',')}]}`;
    expect(huge.length).toBeGreaterThan(8 * 1024 * 1024);
    const tall = `{"width": 1, "height": 300000, "lines_on": false, "blocks": [${Array(300000).fill('[[1, 2, 3, 4]]').join(',')}]}`;
    expect(tall.length).toBeLessThan(8 * 1024 * 1024);
    const file = legacyFile([
      { id: 1, grid: gridText() },
      { id: 2, grid: huge },
      { id: 3, grid: tall },
    ]);
    const report = await run(file);
    expect(report.error).toBeUndefined();
    const [table] = report.tables;
    expect(table).toMatchObject({ read: 3, imported: 1, rejected: 2 });
    expect(table.rejects).toEqual([
      {
        id: '2',
        reason: expect.stringMatching(
          /grid_data is 1[0-9.]+ MB, past the 8 MB .*MAX_BODY_BYTES/,
        ) as string,
      },
      {
        id: '3',
        reason: expect.stringMatching(
          /1 x 300000 = 300000 blocks, past MAX_BLOCKS \(250000\)/,
        ) as string,
      },
    ]);
    expect(table.verification?.ok).toBe(true);
    expect(await storedIds()).toEqual([1]);
  });

  it('rejects every row of a repeated id and a fractional id, with the counts right', async () => {
    const file = legacyFile([
      { id: 1, grid: gridText() },
      { id: 2, grid: gridText('"a": 1, ') },
      { id: 2, grid: gridText('"a": 2, ') },
      { id: 2.5, grid: gridText() },
      { id: 3, grid: gridText() },
    ]);
    const report = await run(file);
    expect(report.error).toBeUndefined();
    const [table] = report.tables;
    expect(table).toMatchObject({ read: 5, imported: 2, present: 0, conflicts: 0, rejected: 3 });
    expect(table.rejects).toEqual([
      { id: '2', reason: expect.stringMatching(/id 2 is in the file 2 times/) as string },
      { id: '2', reason: expect.stringMatching(/id 2 is in the file 2 times/) as string },
      { id: '2.5', reason: expect.stringMatching(/id 2\.5 is not a whole number/) as string },
    ]);
    expect(table.verification).toMatchObject({ ok: true, fileRows: 2, databaseRows: 2 });
    expect(await storedIds()).toEqual([1, 3]);
    expect(report.exitCode).toBe(1);
  });
});
