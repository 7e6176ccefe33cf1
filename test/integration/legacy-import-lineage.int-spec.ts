import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatImportReport } from '../../src/legacy-import/format-import-report';
import type { ImportReport } from '../../src/legacy-import/import-report';
import { LegacyImportService } from '../../src/legacy-import/legacy-import.service';
import { rawRequest } from '../support/http';
import { copyOfSample, manifest, type ManifestRow } from '../support/legacy-sample';
import { legacyImporter } from '../support/legacy-importer';
import { startTestApp, type TestApp } from '../support/test-app';
import { testConfig } from '../support/test-config';

const row = (table: ManifestRow['table'], id: number) =>
  manifest.rows.find((r) => r.table === table && r.id === id)!;

/** Old rows that remixed others say so in their code cells: the import links them the same way. */
describe('import-sqlite: remix lineage of legacy rows', () => {
  let t: TestApp;
  let importer: LegacyImportService;
  let tmp: string;
  let file: string;

  const publicParent = row('public_grids', 1);
  const secretParent = row('secret_grids', 1);
  // The remixes, and what their code says: [table, id, code cell, the parent it names].
  const remixes: [ManifestRow['table'], number, string, ManifestRow | null][] = [
    ['public_grids', 2, `g = BlockGrid.from_web('${publicParent.hashid}')`, publicParent],
    [
      'public_grids',
      3,
      `g = ImageGrid.from_web('${secretParent.hashid}', secret=True)`,
      secretParent,
    ],
    ['secret_grids', 2, `g = BlockGrid.from_web('${publicParent.hashid}')`, publicParent],
    ['public_grids', 4, `g = BlockGrid.from_web('zzzzzz')`, null],
    ['public_grids', 5, `# g = BlockGrid.from_web('${publicParent.hashid}')`, null],
    // The secret id read as a public one: no such public grid.
    ['public_grids', 6, `g = BlockGrid.from_web('${secretParent.hashid}')`, null],
  ];

  beforeAll(async () => {
    t = await startTestApp(testConfig({ GRID_CACHE_MB: '0' }));
    importer = await legacyImporter(t);
    tmp = mkdtempSync(join(tmpdir(), 'ipb-legacy-lineage-'));
    file = copyOfSample(tmp, (db) => {
      for (const [table, id, code] of remixes) {
        db.prepare(`UPDATE ${table} SET code_cells = ? WHERE id = ?`).run(
          JSON.stringify(['from ipythonblocks import BlockGrid, ImageGrid', code]),
          id,
        );
      }
    });
  });
  afterAll(async () => {
    await t.dataSource.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY');
    await t.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(() => t.dataSource.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY'));

  let runs = 0;
  const runImport = (dryRun = false): Promise<ImportReport> =>
    importer.run({ file, dryRun, rejectsFile: join(tmp, `rejects-${++runs}.jsonl`) });

  const parents = () =>
    t.dataSource.query<{ t: string; id: number; pv: string | null; pid: number | null }[]>(
      `SELECT 'public_grids' AS t, id, parent_visibility AS pv, parent_id AS pid FROM public_grids
       WHERE parent_id IS NOT NULL
       UNION ALL SELECT 'secret_grids', id, parent_visibility, parent_id FROM secret_grids
       WHERE parent_id IS NOT NULL ORDER BY 1, 2`,
    );
  const expected = remixes
    .filter(([, , , parent]) => parent !== null)
    .map(([table, id, , parent]) => ({
      t: table,
      id,
      pv: parent!.table === 'secret_grids' ? 'secret' : 'public',
      pid: parent!.id,
    }))
    .sort((a, b) => a.t.localeCompare(b.t) || a.id - b.id);

  it('sets the parent of every row whose code cells call from_web on a grid that exists, and the pages show it', async () => {
    const report = await runImport();
    expect(report.exitCode).toBe(0);
    expect(await parents()).toEqual(expected);
    const linked = (table: string) => report.tables.find((r) => r.table === table)!.remixes;
    expect(linked('public_grids')).toEqual({ recorded: 2, linked: 2 });
    expect(linked('secret_grids')).toEqual({ recorded: 1, linked: 1 });
    expect(formatImportReport(report)).toContain(
      'public_grids: 2 rows record the grid they remix (from_web in their code cells), 2 linked by this run',
    );

    // Lineage is no content: verification, which compares content, still holds.
    for (const r of report.tables) expect(r.verification?.ok).toBe(true);

    const page = await rawRequest(`${t.baseUrl}/${publicParent.hashid}`);
    expect(page.text).toContain(`<li><a href="/${row('public_grids', 2).hashid}">`);
    // The secret remix is not listed.
    expect(page.text).not.toContain(row('secret_grids', 2).hashid);
    const remix = await rawRequest(`${t.baseUrl}/${row('public_grids', 2).hashid}`);
    expect(remix.text).toContain(`Remixed from <a href="/${publicParent.hashid}">`);
  });

  it('links rows imported before lineage was kept when run again, and changes nothing the next time', async () => {
    await runImport();
    await t.dataSource.query(
      'UPDATE public_grids SET parent_visibility = NULL, parent_id = NULL; ' +
        'UPDATE secret_grids SET parent_visibility = NULL, parent_id = NULL',
    );
    const again = await runImport();
    expect(again.exitCode).toBe(0);
    expect(again.tables.map((r) => r.present)).toEqual([320, 80]);
    expect(again.tables.map((r) => r.remixes)).toEqual([
      { recorded: 2, linked: 2 },
      { recorded: 1, linked: 1 },
    ]);
    expect(await parents()).toEqual(expected);

    const third = await runImport();
    expect(third.tables.map((r) => r.remixes)).toEqual([
      { recorded: 2, linked: 0 },
      { recorded: 1, linked: 0 },
    ]);
    expect(await parents()).toEqual(expected);
  });

  it('links nothing on a dry run, nor a row whose stored content is not the file’s', async () => {
    const dry = await runImport(true);
    expect(dry.tables.map((r) => r.remixes)).toEqual([undefined, undefined]);
    expect(await parents()).toEqual([]);

    await runImport();
    // The stored row 2 is another grid now (a conflict a later run leaves alone): not linked.
    await t.dataSource.query(
      `UPDATE public_grids SET parent_visibility = NULL, parent_id = NULL,
       code_cells = '["other"]' WHERE id = 2`,
    );
    const again = await runImport();
    expect(again.tables[0].conflicts).toBe(1);
    expect(again.tables[0].remixes).toEqual({ recorded: 1, linked: 0 });
    expect(await parents()).toEqual(
      expected.filter((p) => !(p.t === 'public_grids' && p.id === 2)),
    );
  });
});
