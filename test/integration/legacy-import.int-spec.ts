import { ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GridIds } from '../../src/grid-storage/grid-ids';
import { formatImportReport, idRanges } from '../../src/legacy-import/format-import-report';
import type { ImportOptions } from '../../src/legacy-import/import-options';
import type { ImportReport } from '../../src/legacy-import/import-report';
import { LegacyImportSession } from '../../src/grid-storage/legacy-grid.writer';
import { LegacyImportService } from '../../src/legacy-import/legacy-import.service';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import {
  copyOfSample,
  expectedGridData,
  LEGACY_SAMPLE,
  manifest,
  ManifestRow,
  sampleRows,
  visibilityOf,
} from '../support/legacy-sample';
import { legacyImporter } from '../support/legacy-importer';
import { startTestApp, TestApp } from '../support/test-app';
import { freshEmbeddedDataDir, testConfig, usingServer } from '../support/test-config';
import { serverDatabaseUrl } from '../support/test-database';

const TABLES = ['public_grids', 'secret_grids'] as const;
const COUNTS = { public_grids: 320, secret_grids: 80 };

describe('import-sqlite: the legacy SQLite grids into Postgres', () => {
  let t: TestApp;
  let importer: LegacyImportService;
  let ids: GridIds;
  let tmp: string;

  beforeAll(async () => {
    // No grid cache: these tests change rows behind the app's back and read them again.
    t = await startTestApp(testConfig({ GRID_CACHE_MB: '0' }));
    importer = await legacyImporter(t);
    ids = t.app.get(GridIds);
    tmp = mkdtempSync(join(tmpdir(), 'ipb-legacy-import-'));
  });

  afterAll(async () => {
    await t.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  // The legacy ids are the real ids: each test starts from empty tables (jest runs files one by
  // one, so no other spec is writing meanwhile).
  beforeEach(() => t.dataSource.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY'));

  let files = 0;
  const rejectsFile = () => join(tmp, `rejects-${++files}.jsonl`);
  const runImport = (options: Partial<ImportOptions> = {}): Promise<ImportReport> =>
    importer.run({ file: LEGACY_SAMPLE, rejectsFile: rejectsFile(), ...options });
  const tableReport = (report: ImportReport, table: string) =>
    report.tables.find((r) => r.table === table)!;
  const getUrl = (row: Pick<ManifestRow, 'table' | 'hashid'>) =>
    `${t.baseUrl}/get/${row.table === 'secret_grids' ? 'secret/' : ''}${row.hashid}`;

  const sequences = () =>
    t.dataSource.query<{ p: string | null; s: string | null }[]>(
      `SELECT pg_sequence_last_value('public_grids_id_seq') AS p,
              pg_sequence_last_value('secret_grids_id_seq') AS s`,
    );

  /** Every row's content and created_at, to prove a run changed nothing. */
  async function snapshot(): Promise<unknown[]> {
    return t.dataSource.query(
      `SELECT 'p' AS t, id, md5(p::text) AS row FROM public_grids p
       UNION ALL SELECT 's', id, md5(s::text) FROM secret_grids s ORDER BY 1, 2`,
    );
  }

  it('serves every manifest row at GET /get[/secret]/<hashid> with its grid; deleted ids are 404', async () => {
    const report = await runImport();

    expect(report.error).toBeUndefined();
    expect(report.exitCode).toBe(0);
    for (const table of TABLES) {
      const r = tableReport(report, table);
      expect(r).toMatchObject({ read: COUNTS[table], imported: COUNTS[table], rejected: 0 });
      expect(r).toMatchObject({ present: 0, conflicts: 0, overwritten: 0 });
      expect(r.verification).toMatchObject({ ok: true, fileRows: COUNTS[table] });
      expect(r.verification!.databaseChecksum).toBe(r.verification!.fileChecksum);
      // Every quirk the manifest lists was seen, as many times.
      const expected: Record<string, number> = {};
      for (const row of manifest.rows.filter((m) => m.table === table)) {
        for (const q of row.quirks) expected[q] = (expected[q] ?? 0) + 1;
      }
      expect(r.quirks).toEqual(expected);
    }

    for (const table of TABLES) {
      const rows = new Map(sampleRows(table).map((row) => [row.id, row]));
      for (const entry of manifest.rows.filter((m) => m.table === table)) {
        expect(ids.encode(visibilityOf(table), entry.id)).toBe(entry.hashid);
        const res = await rawRequest(getUrl(entry));
        expect({ id: entry.id, status: res.status }).toEqual({ id: entry.id, status: 200 });
        expect(res.json()).toEqual(expectedGridData(rows.get(entry.id)!));
      }
      for (const id of manifest.deleted_ids[table]) {
        const hashid = ids.encode(visibilityOf(table), id);
        const res = await rawRequest(getUrl({ table, hashid }));
        expect({ id, status: res.status }).toEqual({ id, status: 404 });
      }
    }
  });

  it("renders every manifest row's page at /<hashid> or /secret/<hashid> (200)", async () => {
    await runImport();
    for (const entry of manifest.rows) {
      const secret = entry.table === 'secret_grids' ? 'secret/' : '';
      const res = await rawRequest(`${t.baseUrl}/${secret}${entry.hashid}`);
      expect({ id: entry.id, status: res.status }).toEqual({ id: entry.id, status: 200 });
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    }
  });

  it('repairs the quirks of old rows and keeps valid odd data as it is', async () => {
    await runImport();
    for (const table of TABLES) {
      const sample = new Map(sampleRows(table).map((row) => [row.id, row]));
      for (const entry of manifest.rows.filter((m) => m.table === table && m.quirks.length)) {
        const [stored] = await t.dataSource.query<Record<string, unknown>[]>(
          `SELECT python_version, code_cells, secret, jsonb_typeof(grid_data->'lines_on') AS lines_on
           FROM ${table} WHERE id = $1`,
          [entry.id],
        );
        const raw = sample.get(entry.id)!;
        const has = (q: string) => entry.quirks.includes(q);
        if (has('code_cells_null_string') || has('code_cells_empty_string')) {
          expect(stored.code_cells).toBeNull();
        }
        if (has('code_cells_empty_list')) expect(stored.code_cells).toBeNull();
        if (has('lines_on_int')) expect(stored.lines_on).toBe('boolean');
        if (has('secret_flag_null')) expect(stored.secret).toBe(table === 'secret_grids');
        if (has('python_version_3_items') || has('python_version_string')) {
          expect(stored.python_version).toEqual(JSON.parse(raw.python_version));
        }
        if (has('raw_utf8_json')) {
          expect(stored.code_cells).toEqual(JSON.parse(raw.code_cells!));
        }
      }
    }
  });

  it('writes created_at NULL (posting date unknown): pages show no date rather than the import date', async () => {
    await runImport();
    for (const table of TABLES) {
      const [{ dated }] = await t.dataSource.query<{ dated: number }[]>(
        `SELECT count(created_at)::int AS dated FROM ${table}`,
      );
      expect(dated).toBe(0);
    }
    const first = manifest.rows.find((m) => m.table === 'public_grids')!;
    const page = await rawRequest(`${t.baseUrl}/${first.hashid}`);
    expect(page.text).not.toMatch(/posted|<time/i);
  });

  it('changes nothing when run a second time', async () => {
    await runImport();
    const before = await snapshot();

    const again = await runImport();

    expect(again.exitCode).toBe(0);
    for (const table of TABLES) {
      expect(tableReport(again, table)).toMatchObject({
        read: COUNTS[table],
        imported: 0,
        present: COUNTS[table],
        conflicts: 0,
      });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('gives the next POST /post an id above every imported one', async () => {
    await runImport();
    for (const secret of [false, true]) {
      const table = secret ? 'secret_grids' : 'public_grids';
      const posted = await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret })));
      expect(posted.status).toBe(200);
      const hashId = new URL(posted.json<{ url: string }>().url).pathname.split('/').pop()!;
      const id = ids.decode(secret ? 'secret' : 'public', hashId)!;
      const maxLegacyId = Math.max(
        ...manifest.rows.filter((m) => m.table === table).map((m) => m.id),
        ...manifest.deleted_ids[table],
      );
      expect(id).toBeGreaterThan(maxLegacyId);
    }
  });

  it('--dry-run reads and checks everything and writes nothing', async () => {
    const before = await sequences();

    const report = await runImport({ dryRun: true });

    expect(report.exitCode).toBe(0);
    expect(report.dryRun).toBe(true);
    for (const table of TABLES) {
      expect(tableReport(report, table)).toMatchObject({
        read: COUNTS[table],
        imported: COUNTS[table],
      });
      expect(tableReport(report, table).verification).toBeUndefined();
    }
    expect(await snapshot()).toEqual([]);
    expect(await sequences()).toEqual(before);
  });

  it('completes an interrupted run when run again', async () => {
    type Insert = LegacyImportSession['insertLegacyBatch'];
    const real = Object.getOwnPropertyDescriptor(
      LegacyImportSession.prototype,
      'insertLegacyBatch',
    )!.value as Insert;
    let batches = 0;
    const spy = jest
      .spyOn(LegacyImportSession.prototype, 'insertLegacyBatch')
      .mockImplementation(function (this: LegacyImportSession, ...args: Parameters<Insert>) {
        if (++batches === 3) throw new Error('simulated crash in batch 3');
        return real.apply(this, args);
      });
    let interrupted: ImportReport;
    try {
      interrupted = await runImport({ batchSize: 50 });
    } finally {
      spy.mockRestore();
    }

    expect(interrupted.exitCode).toBe(2);
    expect(interrupted.error).toMatch(/simulated crash in batch 3/);
    expect(tableReport(interrupted, 'public_grids').imported).toBe(100);
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM public_grids',
    );
    expect(n).toBe(100);

    const resumed = await runImport({ batchSize: 50 });

    expect(resumed.exitCode).toBe(0);
    expect(tableReport(resumed, 'public_grids')).toMatchObject({ imported: 220, present: 100 });
    expect(tableReport(resumed, 'secret_grids')).toMatchObject({ imported: 80, present: 0 });
    for (const table of TABLES) expect(tableReport(resumed, table).verification?.ok).toBe(true);
  });

  it('rejects unreadable rows to the rejects file, imports the rest and exits non-zero', async () => {
    const file = copyOfSample(tmp, (db) => {
      db.prepare(
        `UPDATE public_grids SET grid_data = '{"width": 2, "height": ' WHERE id = 1`,
      ).run();
      db.prepare(
        `UPDATE public_grids SET grid_data = '{"width": 8, "height": 7}' WHERE id = 2`,
      ).run();
      db.prepare(`UPDATE public_grids SET python_version = NULL WHERE id = 3`).run();
      db.prepare(`UPDATE public_grids SET code_cells = '["never closed' WHERE id = 4`).run();
      db.prepare(`UPDATE secret_grids SET grid_data = '[1, 2, 3]' WHERE id = 1`).run();
    });
    const rejects = rejectsFile();

    const report = await importer.run({ file, rejectsFile: rejects });

    expect(report.exitCode).toBe(1);
    expect(report.rejectsFile).toBe(rejects);
    const publicReport = tableReport(report, 'public_grids');
    expect(publicReport).toMatchObject({ read: 320, imported: 316, rejected: 4 });
    expect(publicReport.rejects.map((r) => [r.id, r.reason])).toEqual([
      ['1', expect.stringMatching(/^grid_data is not valid JSON/)],
      ['2', 'grid_data has no blocks'],
      ['3', 'python_version is NULL'],
      ['4', expect.stringMatching(/^code_cells is not valid JSON/)],
    ]);
    expect(tableReport(report, 'secret_grids')).toMatchObject({ imported: 79, rejected: 1 });
    expect(tableReport(report, 'secret_grids').rejects).toEqual([
      { id: '1', reason: 'grid_data is not a JSON object' },
    ]);
    // The rows that were read are all in, and match the file.
    for (const table of TABLES) expect(tableReport(report, table).verification?.ok).toBe(true);

    const lines = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.table, l.id])).toEqual([
      ['public_grids', 1],
      ['public_grids', 2],
      ['public_grids', 3],
      ['public_grids', 4],
      ['secret_grids', 1],
    ]);
    expect(lines[0].reason).toMatch(/^grid_data is not valid JSON/);
    expect(lines[0].row).toEqual({
      ...sampleRows('public_grids')[0],
      grid_data: '{"width": 2, "height": ',
    });

    const stored = await t.dataSource.query<{ id: number }[]>(
      'SELECT id FROM public_grids WHERE id <= 5 ORDER BY id',
    );
    expect(stored.map((r) => r.id)).toEqual([5]);
    const res = await rawRequest(`${t.baseUrl}/get/${ids.encode('public', 1)}`);
    expect(res.status).toBe(404);
  });

  it('counts invalid UTF-8 (served as U+FFFD) as a repair naming every row; a stored U+FFFD is none', async () => {
    const file = copyOfSample(tmp, (db) => {
      // Bytes SQLite keeps as they are, as the old site's driver wrote them: "1.6" and 0xFF.
      const invalid = db.prepare(
        `UPDATE public_grids SET ipb_version = CAST(X'312E36FF' AS TEXT) WHERE id = ?`,
      );
      for (const id of [5, 6, 10]) invalid.run(id);
      // ["é<0xFE>"]: a JSON column, valid UTF-8 around the bad byte.
      db.prepare(
        `UPDATE secret_grids SET code_cells = CAST(X'5B22C3A9FE225D' AS TEXT) WHERE id = 4`,
      ).run();
      // A U+FFFD that was posted as such, valid UTF-8 (EF BF BD).
      db.prepare(`UPDATE public_grids SET ipb_version = '1.6' || char(65533) WHERE id = 7`).run();
    });

    const report = await importer.run({ file, rejectsFile: rejectsFile() });

    expect(report.exitCode).toBe(0);
    const publicReport = tableReport(report, 'public_grids');
    const secretReport = tableReport(report, 'secret_grids');
    expect(publicReport.quirks.invalid_utf8_replaced).toBe(3);
    expect(publicReport.invalidUtf8Ids).toEqual([5, 6, 10]);
    expect(secretReport.quirks.invalid_utf8_replaced).toBe(1);
    expect(secretReport.invalidUtf8Ids).toEqual([4]);
    for (const r of [publicReport, secretReport]) expect(r.verification?.ok).toBe(true);
    // What the old site served is kept.
    const stored = await t.dataSource.query<{ id: number; ipb_version: string }[]>(
      'SELECT id, ipb_version FROM public_grids WHERE id IN (5, 7) ORDER BY id',
    );
    expect(stored).toEqual([
      { id: 5, ipb_version: '1.6\ufffd' },
      { id: 7, ipb_version: '1.6\ufffd' },
    ]);
    const [cells] = await t.dataSource.query<{ code_cells: string[] }[]>(
      'SELECT code_cells FROM secret_grids WHERE id = 4',
    );
    expect(cells.code_cells).toEqual(['é\ufffd']);
    const text = formatImportReport(report);
    expect(text).toContain('    invalid UTF-8 replaced by U+FFFD: 3, ids 5-6, 10\n');
    expect(text).toContain('    invalid UTF-8 replaced by U+FFFD: 1, id 4\n');
  });

  it('stops with exit status 2 and a plain message on a file it cannot use', async () => {
    const notSqlite = `${LEGACY_SAMPLE}.manifest.json`;
    const noTables = copyOfSample(tmp, (db) => db.exec('DROP TABLE secret_grids'));
    const noColumn = copyOfSample(tmp, (db) =>
      db.exec('ALTER TABLE public_grids DROP COLUMN code_cells'),
    );
    const cases: [Partial<ImportOptions>, RegExp][] = [
      [{ file: join(tmp, 'missing.db') }, /^cannot read .*missing\.db/],
      [{ file: notSqlite }, /^cannot read .*manifest\.json: file is not a database/],
      [{ file: noTables }, /has no secret_grids table: not a legacy grid database/],
      [{ file: noColumn }, /public_grids has no column code_cells/],
      [
        { rejectsFile: join(tmp, 'no-such-dir', 'rejects.jsonl') },
        /^cannot write the rejects file/,
      ],
    ];
    for (const [options, message] of cases) {
      const report = await runImport(options);
      expect(report.exitCode).toBe(2);
      expect(report.error).toMatch(message);
    }
    expect(await snapshot()).toEqual([]);
  });

  it('reports a row present with other content as a conflict, and --overwrite replaces it', async () => {
    await runImport();
    await t.dataSource.query(
      `UPDATE public_grids SET grid_data = jsonb_set(grid_data, '{width}', '999') WHERE id = 1`,
    );
    await t.dataSource.query(`UPDATE secret_grids SET ipb_version = 'changed' WHERE id = 2`);
    const changed = await snapshot();

    const report = await runImport();

    expect(report.exitCode).toBe(1);
    expect(tableReport(report, 'public_grids')).toMatchObject({ conflicts: 1, conflictIds: [1] });
    expect(tableReport(report, 'secret_grids')).toMatchObject({ conflicts: 1, conflictIds: [2] });
    expect(tableReport(report, 'public_grids').verification).toMatchObject({
      ok: false,
      differences: { differs: [1], missing: [], extra: [] },
    });
    expect(await snapshot()).toEqual(changed);

    const overwritten = await runImport({ overwrite: true });

    expect(overwritten.exitCode).toBe(0);
    expect(tableReport(overwritten, 'public_grids')).toMatchObject({
      overwritten: 1,
      overwrittenIds: [1],
      present: 319,
      conflicts: 0,
    });
    expect(tableReport(overwritten, 'secret_grids').overwrittenIds).toEqual([2]);
    const res = await rawRequest(`${t.baseUrl}/get/${ids.encode('public', 1)}`);
    expect(res.json()).toEqual(expectedGridData(sampleRows('public_grids')[0]));
  });

  describe('grids posted through the site before or during the import', () => {
    const MAX_FILE_ID = { public: 440, secret: 89 };

    interface PostedGrid {
      secret: boolean;
      path: string;
      body: ReturnType<typeof clientBody>;
    }

    let posts = 0;
    /** Posts one grid per flag, in order, each with content of its own. */
    async function post(...secrets: boolean[]): Promise<PostedGrid[]> {
      const posted: PostedGrid[] = [];
      for (const secret of secrets) {
        const n = ++posts;
        const body = clientBody({ secret, ipb_version: `9.${n}` }, 1 + (n % 7), 2);
        const res = await clientPost(t.baseUrl, JSON.stringify(body));
        expect(res.status).toBe(200);
        posted.push({ secret, path: new URL(res.json<{ url: string }>().url).pathname, body });
      }
      return posted;
    }

    const idOf = (g: PostedGrid) =>
      ids.decode(g.secret ? 'secret' : 'public', g.path.split('/').pop()!)!;

    /** A posted grid is intact: /get serves its grid_data and the row holds what was posted. */
    async function expectIntact(g: PostedGrid): Promise<void> {
      const got = await rawRequest(`${t.baseUrl}/get${g.path}`);
      expect({ path: g.path, status: got.status }).toEqual({ path: g.path, status: 200 });
      expect(got.json()).toEqual(g.body.grid_data);
      const [row] = await t.dataSource.query<Record<string, unknown>[]>(
        `SELECT ipb_version, code_cells, created_at IS NOT NULL AS dated
         FROM ${g.secret ? 'secret_grids' : 'public_grids'} WHERE id = $1`,
        [idOf(g)],
      );
      expect(row).toEqual({
        ipb_version: g.body.ipb_version,
        code_cells: g.body.code_cells,
        dated: true,
      });
    }

    /** Legacy ids serve the file's grids. */
    async function expectLegacy(table: (typeof TABLES)[number], legacyIds: number[]) {
      const rows = new Map(sampleRows(table).map((row) => [row.id, row]));
      for (const id of legacyIds) {
        const hashid = ids.encode(visibilityOf(table), id);
        const res = await rawRequest(getUrl({ table, hashid }));
        expect({ table, id, status: res.status }).toEqual({ table, id, status: 200 });
        expect(res.json()).toEqual(expectedGridData(rows.get(id)!));
      }
    }

    const fileRowsInDatabase = async () =>
      (
        await t.dataSource.query<{ n: number }[]>(
          `SELECT ((SELECT count(*) FROM public_grids WHERE created_at IS NULL)
                + (SELECT count(*) FROM secret_grids WHERE created_at IS NULL))::int AS n`,
        )
      )[0].n;

    // Only a server takes posts while the import runs: the embedded database serves one
    // connection, which the import holds from start to end (and one process at a time).
    (usingServer ? it : it.skip)(
      "gives a grid posted while the import runs an id past the file's highest; every legacy row is verified",
      async () => {
        type Insert = LegacyImportSession['insertLegacyBatch'];
        const real = Object.getOwnPropertyDescriptor(
          LegacyImportSession.prototype,
          'insertLegacyBatch',
        )!.value as Insert;
        let batches = 0;
        let during: PostedGrid[] = [];
        const spy = jest
          .spyOn(LegacyImportSession.prototype, 'insertLegacyBatch')
          .mockImplementation(async function (
            this: LegacyImportSession,
            ...args: Parameters<Insert>
          ) {
            const outcome = await real.apply(this, args);
            // After the first public batch, before the secret table is touched.
            if (++batches === 1) during = await post(true, true, true, false);
            return outcome;
          });
        let report: ImportReport;
        try {
          report = await runImport({ batchSize: 50 });
        } finally {
          spy.mockRestore();
        }

        expect(during).toHaveLength(4);
        expect(report.exitCode).toBe(0);
        for (const table of TABLES) {
          expect(tableReport(report, table)).toMatchObject({
            imported: COUNTS[table],
            conflicts: 0,
          });
          expect(tableReport(report, table).verification?.ok).toBe(true);
        }
        for (const g of during) {
          expect(idOf(g)).toBeGreaterThan(MAX_FILE_ID[g.secret ? 'secret' : 'public']);
          await expectIntact(g);
        }
        await expectLegacy('secret_grids', [1, 2, 3]);
      },
    );

    (usingServer ? it : it.skip)(
      'waits for a post in flight to commit before reserving, and counts it as posted',
      async () => {
        const client = t.dataSource.createQueryRunner();
        await client.connect();
        let importing: Promise<ImportReport> | undefined;
        try {
          await client.startTransaction();
          await client.query(
            `INSERT INTO secret_grids (ipb_version, python_version, grid_data, ipb_class, secret)
             VALUES ('in flight', '[]', '{"width": 0, "height": 0, "blocks": []}', 'BlockGrid', true)`,
          );
          importing = runImport();
          const waiting = async () =>
            (
              await t.dataSource.query<{ n: number }[]>(
                `SELECT count(*)::int AS n FROM pg_locks
                 WHERE NOT granted AND relation = 'secret_grids'::regclass
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
              )
            )[0].n;
          for (let tries = 0; (await waiting()) === 0; tries++) {
            if (tries > 250) throw new Error('the import never waited for the post in flight');
            await sleep(20);
          }
          await client.commitTransaction();

          const report = await importing;

          expect(report.exitCode).toBe(2);
          expect(report.refused).toEqual([{ table: 'secret_grids', ids: [1] }]);
        } finally {
          if (client.isTransactionActive) await client.rollbackTransaction();
          await client.release();
          await importing;
        }
      },
    );

    it('refuses before writing anything when posted grids hold ids the file needs, naming each and what to do', async () => {
      await post(false, false, true, true, true);
      await t.dataSource.query(`DELETE FROM public_grids WHERE id = 1`);
      await post(false, false, false);
      await t.dataSource.query(`DELETE FROM public_grids WHERE id = 4`);
      const before = await snapshot();
      const sequencesBefore = await sequences();

      const report = await runImport();

      expect(report.exitCode).toBe(2);
      expect(report.refused).toEqual([
        { table: 'public_grids', ids: [2, 3, 5] },
        { table: 'secret_grids', ids: [1, 2, 3] },
      ]);
      expect(await fileRowsInDatabase()).toBe(0);
      expect(await snapshot()).toEqual(before);
      expect(await sequences()).toEqual(sequencesBefore);
      const text = formatImportReport(report);
      expect(text).toMatch(/REFUSED/);
      expect(text).toMatch(/public_grids: 3 posted grids, ids 2-3, 5\n/);
      expect(text).toMatch(/secret_grids: 3 posted grids, ids 1-3\n/);
      expect(text).toMatch(/maintenance/);
      expect(text).toMatch(/--renumber-posted/);
      expect(text).toMatch(/delete/i);
    });

    it('--dry-run reserves nothing and reports posted grids in the file’s id range as a refusal', async () => {
      await post(true);
      const sequencesBefore = await sequences();

      for (const renumberPosted of [false, true]) {
        const report = await runImport({ dryRun: true, renumberPosted });

        expect(report.exitCode).toBe(2);
        expect(report.refused).toEqual([{ table: 'secret_grids', ids: [1] }]);
        expect(await fileRowsInDatabase()).toBe(0);
        expect(await sequences()).toEqual(sequencesBefore);
      }
    });

    it('--only reserves and checks the chosen table only', async () => {
      await post(true);
      const sequencesBefore = await sequences();

      const report = await runImport({ only: 'public' });

      expect(report.exitCode).toBe(0);
      expect(report.refused).toBeUndefined();
      const after = await sequences();
      expect(Number(after[0].p)).toBe(MAX_FILE_ID.public);
      expect(after[0].s).toBe(sequencesBefore[0].s);
      expect((await runImport({ only: 'secret' })).refused).toEqual([
        { table: 'secret_grids', ids: [1] },
      ]);
    });

    it('--renumber-posted moves posted grids to fresh ids past the file’s, then imports every legacy row', async () => {
      const posted = await post(false, false, true, true, true);

      const report = await runImport({ renumberPosted: true });

      expect(report.exitCode).toBe(0);
      expect(report.refused).toBeUndefined();
      const moved = posted.map((g) => ({ ...g, from: idOf(g) }));
      for (const table of TABLES) {
        const r = tableReport(report, table);
        expect(r).toMatchObject({ imported: COUNTS[table], conflicts: 0 });
        expect(r.verification?.ok).toBe(true);
        const visibility = visibilityOf(table);
        const mine = moved.filter((g) => g.secret === (visibility === 'secret'));
        expect(r.renumbered).toEqual(
          mine.map((g, i) => {
            const to = MAX_FILE_ID[visibility] + 1 + i;
            const hashid = ids.encode(visibility, to);
            return {
              from: g.from,
              to,
              path: `${visibility === 'secret' ? '/secret' : ''}/${hashid}`,
            };
          }),
        );
        // The moved grids serve their own content at their new ids.
        for (const [i, g] of mine.entries())
          await expectIntact({ ...g, path: r.renumbered[i].path });
      }
      await expectLegacy('public_grids', [1, 2]);
      await expectLegacy('secret_grids', [1, 2, 3]);
      const text = formatImportReport(report);
      expect(text).toMatch(
        new RegExp(
          `public_grids: 2 posted grids moved to fresh ids:\\n\\s+1 -> 441 ${tableReport(report, 'public_grids').renumbered[0].path}\\n`,
        ),
      );

      // The next post comes after the moved ones, and a second run finds nothing to move.
      const [next] = await post(false);
      expect(idOf(next)).toBe(MAX_FILE_ID.public + 3);
      const again = await runImport({ renumberPosted: true });
      expect(again.exitCode).toBe(0);
      for (const table of TABLES) expect(tableReport(again, table).renumbered).toEqual([]);
    });
  });

  it('verification names every differing id, grouped by problem, with runs as ranges', async () => {
    await runImport();
    const publicIds = sampleRows('public_grids').map((r) => r.id);
    const edited = publicIds.filter((id) => id <= 250);
    expect(edited.length).toBeGreaterThan(150);
    await t.dataSource.query(`UPDATE public_grids SET ipb_version = 'edited' WHERE id <= 250`);
    // An id the file does not have (the old site deleted it), in the file's range.
    const [deleted] = manifest.deleted_ids.public_grids;
    await t.dataSource.query(
      `INSERT INTO public_grids (id, ipb_version, python_version, grid_data, ipb_class, secret, created_at)
       SELECT $1, ipb_version, python_version, grid_data, ipb_class, secret, NULL
       FROM public_grids WHERE id = 5`,
      [deleted],
    );

    const report = await runImport({ only: 'public' });

    expect(tableReport(report, 'public_grids').verification).toMatchObject({
      ok: false,
      differences: { differs: edited, missing: [], extra: [deleted] },
    });
    const text = formatImportReport(report);
    expect(text).toContain(
      `        differs from the file: ${edited.length} rows, ids ${idRanges(edited)}\n`,
    );
    expect(text).toContain(`        in the database only: 1 row, id ${deleted}\n`);

    // Rows read from the file (so in its checksum) that never reached the database.
    type Insert = LegacyImportSession['insertLegacyBatch'];
    const real = Object.getOwnPropertyDescriptor(
      LegacyImportSession.prototype,
      'insertLegacyBatch',
    )!.value as Insert;
    const spy = jest
      .spyOn(LegacyImportSession.prototype, 'insertLegacyBatch')
      .mockImplementation(function (this: LegacyImportSession, visibility, rows, mode) {
        const kept = (function* () {
          for (const row of rows) if (row.id < 300) yield row;
        })();
        return real.call(this, visibility, kept, mode);
      });
    await t.dataSource.query(`DELETE FROM public_grids WHERE id >= 300`);
    let lost: ImportReport;
    try {
      lost = await runImport({ only: 'public' });
    } finally {
      spy.mockRestore();
    }
    const missing = publicIds.filter((id) => id >= 300);
    expect(tableReport(lost, 'public_grids').verification!.differences.missing).toEqual(missing);
    expect(formatImportReport(lost)).toContain(
      `        missing from the database: ${missing.length} rows, ids ${idRanges(missing)}\n`,
    );
  });

  it('stores JSON exactly as it hashes it: Postgres prints back the same text', async () => {
    const samples = [
      '{"b": 1, "a": 2, "aa": {"é": 1, "z": 2, "\\ud83c\\udfa8": 3, "": 4}}',
      '[1e-7, 1.5e21, -0, 0.1, 123456789012, 2.5, -3.75e-3, 1E+2]',
      '["tab\\t nl\\n cr\\r bs\\\\ q\\" \\u0001 \\u001f \\u007f \\u2028 ünï 日本 🎨"]',
      '{"lines_on": true, "width": 1, "height": 1, "blocks": [[[0, 0, 0, 20]]], "extra": null}',
      '"2.7.6"',
      '[]',
      '{}',
    ];
    const { toJsonbText } = await import('../../src/legacy-import/jsonb-text');
    for (const json of samples) {
      const [{ text }] = await t.dataSource.query<{ text: string }[]>(
        'SELECT ($1::jsonb)::text AS text',
        [toJsonbText(JSON.parse(json))],
      );
      expect(text).toBe(toJsonbText(JSON.parse(json)));
    }
  });

  describe('as a command (npm run cli -- import-sqlite <file>)', () => {
    interface CliRun {
      code: number | null;
      stdout: string;
      stderr: string;
    }

    /** The built CLI in a child process, against the suite's database server or its own embedded one. */
    function startCli(args: string[]): { child: ChildProcess; done: Promise<CliRun> } {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NODE_ENV: 'test',
        HASHIDS_PUBLIC_SALT: 'public',
        HASHIDS_SECRET_SALT: 'secret',
      };
      if (usingServer) env.DATABASE_URL = serverDatabaseUrl();
      else {
        delete env.DATABASE_URL;
        env.DATA_DIR = freshEmbeddedDataDir();
      }
      const root = join(__dirname, '..', '..');
      const child = spawn(process.execPath, [join(root, 'dist', 'cli.js'), ...args], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const done = new Promise<CliRun>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      return { child, done };
    }

    const cli = (args: string[]) => startCli(args).done;

    it('imports the sample and exits 0', async () => {
      const run = await cli(['import-sqlite', LEGACY_SAMPLE, '--rejects', rejectsFile()]);

      expect(run).toMatchObject({ code: 0 });
      expect(run.stdout).toMatch(/public_grids\s+320\s+320\s+0\s+0\s+0\s+0/);
      expect(run.stdout).toMatch(/secret_grids: file 80 rows \w+, database 80 rows \w+: OK/);
      expect(run.stdout).toMatch(/result: OK/);
      expect(run.stderr).toMatch(/^import: 400\/400 rows/m);
      if (usingServer) {
        const [first] = manifest.rows;
        expect((await rawRequest(getUrl(first))).status).toBe(200);
      }
    });

    it('exits 1 and lists a rejected row by table and id', async () => {
      const file = copyOfSample(tmp, (db) => {
        db.prepare(`UPDATE secret_grids SET grid_data = 'not json' WHERE id = 4`).run();
      });
      const run = await cli([
        'import-sqlite',
        file,
        '--only',
        'secret',
        '--rejects',
        rejectsFile(),
      ]);

      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /secret_grids rejected rows:\n\s+id 4: grid_data is not valid JSON/,
      );
      expect(run.stdout).toMatch(/NEEDS ATTENTION \(1 rejected\)/);
    });

    // Only a server can be watched from here while the command writes to it.
    (usingServer ? it : it.skip)(
      'stops cleanly when killed mid-way (SIGTERM), and the next run completes the import',
      async () => {
        const count = async () =>
          (
            await t.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM public_grids')
          )[0].n;
        const args = ['--batch-size', '1', '--jobs', '1', '--rejects', rejectsFile()];
        const { child, done } = startCli(['import-sqlite', LEGACY_SAMPLE, ...args]);
        while ((await count()) === 0 && child.exitCode === null) await sleep(20);
        child.kill('SIGTERM');
        const killed = await done;

        expect(killed.code).toBe(2);
        expect(killed.stdout).toMatch(/STOPPED: interrupted/);
        const written = await count();
        expect(written).toBeGreaterThan(0);
        expect(written).toBeLessThan(COUNTS.public_grids);

        const resumed = await runImport();
        expect(resumed.exitCode).toBe(0);
        expect(tableReport(resumed, 'public_grids')).toMatchObject({
          imported: COUNTS.public_grids - written,
          present: written,
        });
      },
    );

    // The embedded database is the command's own: nothing can be posted into it beforehand.
    (usingServer ? it : it.skip)(
      'exits 2 naming the posted grids in the way, and --renumber-posted moves them and imports',
      async () => {
        await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret: true })));
        await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret: true })));

        const refused = await cli(['import-sqlite', LEGACY_SAMPLE, '--rejects', rejectsFile()]);

        expect(refused.code).toBe(2);
        expect(refused.stdout).toMatch(/REFUSED: .*nothing was written/);
        expect(refused.stdout).toMatch(/secret_grids: 2 posted grids, ids 1-2\n/);
        expect(refused.stdout).toMatch(/--renumber-posted/);

        const args = [
          'import-sqlite',
          LEGACY_SAMPLE,
          '--renumber-posted',
          '--rejects',
          rejectsFile(),
        ];
        const renumbered = await cli(args);

        expect(renumbered.code).toBe(0);
        const path = `/secret/${ids.encode('secret', 90)}`;
        expect(renumbered.stdout).toContain(
          `secret_grids: 2 posted grids moved to fresh ids:\n    1 -> 90 ${path}\n`,
        );
        expect(renumbered.stdout).toMatch(/result: OK/);
      },
    );

    it('exits 2 with a message, no stack trace, for a missing file or a bad option', async () => {
      const missing = await cli(['import-sqlite', join(tmp, 'no-such.db')]);
      expect(missing.code).toBe(2);
      expect(missing.stdout).toMatch(/STOPPED: cannot read .*no-such\.db/);
      expect(missing.stdout + missing.stderr).not.toMatch(/\n\s+at /);

      const badBatch = await cli(['import-sqlite', LEGACY_SAMPLE, '--batch-size', 'many']);
      expect(badBatch.code).toBe(2);
      expect(badBatch.stderr).toMatch(/--batch-size must be a whole number/);
    });
  });
});
