import { GridsRepository } from '../../src/grid-storage/grids.repository';
import { blocks, clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';
import { clientPostFixtures } from '../support/fixtures';

const fixtures = clientPostFixtures;

describe('grid API (POST /post, GET /get)', () => {
  let t: TestApp;
  let grids: GridsRepository;

  beforeAll(async () => {
    t = await startTestApp();
    grids = t.app.get(GridsRepository);
  });
  afterAll(() => t.close());

  async function counts(): Promise<[number, number]> {
    return [await grids.count('public'), await grids.count('secret')];
  }

  describe.each(fixtures.map((f) => [f.name, f] as const))(
    'client fixture %s',
    (_name, fixture) => {
      it('posts without a Content-Type and reads back the same grid_data', async () => {
        const posted = await clientPost(t.baseUrl, fixture.body);
        expect(posted.status).toBe(200);
        expect(posted.headers['content-type']).toMatch(/^application\/json/);
        const { url } = posted.json<{ url: string }>();
        const prefix = fixture.secret ? `${t.baseUrl}/secret/` : `${t.baseUrl}/`;
        expect(url.startsWith(prefix)).toBe(true);
        const hashId = url.slice(prefix.length);
        expect(hashId).toMatch(/^[A-Za-z0-9]{6,}$/);

        const got = await rawRequest(
          `${t.baseUrl}/get/${fixture.secret ? 'secret/' : ''}${hashId}`,
        );
        expect(got.status).toBe(200);
        expect(got.headers['content-type']).toMatch(/^application\/json/);
        expect(got.json()).toEqual(fixture.grid_data);

        // The other visibility's route never serves it.
        const wrong = await rawRequest(
          `${t.baseUrl}/get/${fixture.secret ? '' : 'secret/'}${hashId}`,
        );
        expect(wrong.status).toBe(404);
      });
    },
  );

  it('also accepts a JSON Content-Type, and ignores unknown keys from future clients', async () => {
    const body = { ...clientBody(), future_field: { anything: [1, 2, 3] } };
    const res = await rawRequest(`${t.baseUrl}/post`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
    expect(res.status).toBe(200);
  });

  it('stores a post without code cells as SQL NULL, as the import does, not as JSON null', async () => {
    for (const secret of [false, true]) {
      const posted = await clientPost(
        t.baseUrl,
        JSON.stringify(clientBody({ code_cells: null, secret })),
      );
      expect(posted.status).toBe(200);
      const table = secret ? 'secret_grids' : 'public_grids';
      const [row] = await t.dataSource.query<{ sql_null: boolean }[]>(
        `SELECT code_cells IS NULL AS sql_null FROM ${table} ORDER BY id DESC LIMIT 1`,
      );
      expect(row.sql_null).toBe(true);
    }
  });

  it('uses X-Forwarded-Proto and Host from one trusted proxy hop for the URL', async () => {
    const res = await rawRequest(`${t.baseUrl}/post`, {
      method: 'POST',
      body: JSON.stringify(clientBody()),
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'www.ipythonblocks.org' },
    });
    expect(res.status).toBe(200);
    expect(res.json<{ url: string }>().url).toMatch(/^https:\/\/www\.ipythonblocks\.org\/\w{6,}$/);
  });

  it('assigns separate id sequences to public and secret grids', async () => {
    const pub = await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret: false })));
    const sec = await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret: true })));
    expect(pub.json<{ url: string }>().url).not.toContain('/secret/');
    expect(sec.json<{ url: string }>().url).toContain('/secret/');
  });

  it.each([
    ['unknown id', '/get/zzzzzz'],
    ['alias of a real id (lax hashids decoding)', '/get/bizkiM'],
    ['secret id on the public route', '/get/MiXoi4'],
    ['too short', '/get/abc'],
    ['non-alphabet characters', '/get/%E2%9C%93%E2%9C%93%E2%9C%93'],
    ['very long id', `/get/${'a'.repeat(500)}`],
    ['unknown secret id', '/get/secret/zzzzzz'],
  ])('answers 404 JSON for %s', async (_case, path) => {
    const res = await rawRequest(`${t.baseUrl}${path}`);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json<{ statusCode: number }>().statusCode).toBe(404);
  });

  it('never redirects the client routes to https', async () => {
    const res = await clientPost(t.baseUrl, JSON.stringify(clientBody()));
    expect(res.status).toBe(200);
    const get = await rawRequest(`${t.baseUrl}/get/bizkiL`);
    expect([200, 404]).toContain(get.status);
  });

  it('logs no grid bodies and answers /health with the database status', async () => {
    const res = await rawRequest(`${t.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  describe('bad bodies get a 4xx naming the problem and store nothing', () => {
    const good = clientBody();
    const row1 = blocks(3, 2)[1];
    const bad = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });
    const badGrid = (patch: Record<string, unknown>) =>
      bad({ grid_data: { ...good.grid_data, ...patch } });

    const cases: [string, string | Buffer, number, string][] = [
      ['empty body', '', 400, 'empty'],
      ['malformed JSON', '{"python_version": [3,', 400, 'not valid JSON'],
      ['a JSON array', '[1, 2, 3]', 400, '(body)'],
      ['a JSON string', '"grid"', 400, '(body)'],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400, 'UTF-8'],
      ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`, 400, 'deeper'],
      ['missing python_version', bad({ python_version: undefined }), 400, 'python_version'],
      ['python_version with 3 items', bad({ python_version: [2, 7, 3] }), 400, 'python_version'],
      ['python_version as string', bad({ python_version: '2.7.6' }), 400, 'python_version'],
      ['ipb_version not a version', bad({ ipb_version: 'latest' }), 400, 'ipb_version'],
      ['ipb_version a number', bad({ ipb_version: 1.9 }), 400, 'ipb_version'],
      ['unknown ipb_class', bad({ ipb_class: 'Grid' }), 400, 'ipb_class'],
      ['empty code_cells', bad({ code_cells: [] }), 400, 'code_cells'],
      ['non-string code cell', bad({ code_cells: ['ok', 3] }), 400, 'code_cells'],
      ['secret as string', bad({ secret: 'yes' }), 400, 'secret'],
      ['grid_data not an object', bad({ grid_data: [1, 2] }), 400, 'grid_data'],
      ['lines_on as 1', badGrid({ lines_on: 1 }), 400, 'grid_data.lines_on'],
      ['width 0', badGrid({ width: 0 }), 400, 'grid_data.width'],
      ['height as float', badGrid({ height: 2.5 }), 400, 'grid_data.height'],
      ['too few rows', badGrid({ height: 3 }), 400, 'grid_data.blocks'],
      ['row too short', badGrid({ width: 4 }), 400, 'grid_data.blocks[0]'],
      [
        'colour over 255',
        badGrid({
          blocks: [
            [
              [256, 0, 0, 20],
              [0, 0, 0, 20],
              [0, 0, 0, 20],
            ],
            row1,
          ],
        }),
        400,
        'grid_data.blocks[0][0][0]',
      ],
      [
        'negative colour',
        badGrid({
          blocks: [
            [
              [0, -1, 0, 20],
              [0, 0, 0, 20],
              [0, 0, 0, 20],
            ],
            row1,
          ],
        }),
        400,
        'grid_data.blocks[0][0][1]',
      ],
      [
        'block size 0',
        badGrid({
          blocks: [
            [
              [0, 0, 0, 0],
              [0, 0, 0, 20],
              [0, 0, 0, 20],
            ],
            row1,
          ],
        }),
        400,
        'grid_data.blocks[0][0][3]',
      ],
      [
        'block of 3 numbers',
        badGrid({
          blocks: [
            [
              [0, 0, 0],
              [0, 0, 0, 20],
              [0, 0, 0, 20],
            ],
            row1,
          ],
        }),
        400,
        'grid_data.blocks[0][0]',
      ],
      [
        'block colour as string',
        badGrid({
          blocks: [
            [
              ['0', 0, 0, 20],
              [0, 0, 0, 20],
              [0, 0, 0, 20],
            ],
            row1,
          ],
        }),
        400,
        'grid_data.blocks[0][0][0]',
      ],
      ['too many blocks', badGrid({ width: 100_000, height: 100_000 }), 400, 'MAX_BLOCKS'],
      [
        'block size over the limit',
        badGrid({
          blocks: [
            [
              [0, 0, 0, 5000],
              [0, 0, 0, 20],
              [0, 0, 0, 20],
            ],
            row1,
          ],
        }),
        400,
        'MAX_BLOCK_SIZE',
      ],
      [
        'too many code cells',
        bad({ code_cells: Array.from({ length: 1000 }, () => 'x') }),
        400,
        'MAX_CODE_CELLS',
      ],
      [
        'code cell too long',
        bad({ code_cells: ['x'.repeat(200_000)] }),
        400,
        'MAX_CODE_CELL_CHARS',
      ],
      [
        'body over the size limit',
        `{"pad": "${'x'.repeat(9 * 1024 * 1024)}"}`,
        413,
        'MAX_BODY_BYTES',
      ],
    ];

    it.each(cases)('%s', async (_name, body, status, mentions) => {
      const before = await counts();
      const res = await clientPost(t.baseUrl, body);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const payload = res.json<{ message: string; statusCode: number }>();
      expect(payload.statusCode).toBe(status);
      expect(payload.message).toContain(mentions);
      expect(await counts()).toEqual(before);
    });

    it('names every failing field at once', async () => {
      const res = await clientPost(
        t.baseUrl,
        bad({ python_version: 3, ipb_class: 'X', secret: null, code_cells: [] }),
      );
      expect(res.status).toBe(400);
      const fields = res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
      expect(fields).toEqual(
        expect.arrayContaining(['python_version', 'ipb_class', 'secret', 'code_cells']),
      );
    });

    // Postgres can store neither U+0000 nor half of a surrogate pair, in text or in jsonb.
    const NUL = 'holds a NUL character (U+0000), which cannot be stored';
    const SURROGATE = 'holds a lone UTF-16 surrogate (U+D800), which cannot be stored';
    it.each([
      ['a code cell with NUL', bad({ code_cells: ['ok', 'ok', 'a\u0000b'] }), 'code_cells[2]', NUL],
      ['ipb_version with NUL', bad({ ipb_version: '1.9\u0000' }), 'ipb_version', NUL],
      [
        'a python_version string with a lone surrogate',
        bad({ python_version: [3, 11, 2, 'final', '\ud800'] }),
        'python_version[4]',
        SURROGATE,
      ],
      ['an unknown grid_data value with NUL', badGrid({ note: 'x\u0000' }), 'grid_data.note', NUL],
      [
        'a string deep inside an unknown grid_data value',
        badGrid({ extra: { list: [1, 'ok', '\ud800 alone'] } }),
        'grid_data.extra.list[2]',
        SURROGATE,
      ],
      [
        'an unknown grid_data key with NUL',
        badGrid({ 'bad\u0000key': 1 }),
        'grid_data["bad\\u0000key"]',
        'the key ' + NUL,
      ],
    ])(
      'refuses %s with a 400 naming the field, storing nothing',
      async (_name, body, field, message) => {
        const before = await counts();
        const res = await clientPost(t.baseUrl, body);
        expect(res.status).toBe(400);
        expect(res.json<{ errors: unknown[] }>().errors).toEqual([{ field, message }]);
        expect(await counts()).toEqual(before);
      },
    );

    it('ignores an unstorable string under an unknown top-level key: it is not stored', async () => {
      const res = await clientPost(t.baseUrl, bad({ from_the_future: 'a\u0000b' }));
      expect(res.status).toBe(200);
    });

    it('accepts emoji: a surrogate pair is a whole character', async () => {
      const res = await clientPost(t.baseUrl, bad({ code_cells: ['# 🎨 colours'] }));
      expect(res.status).toBe(200);
    });

    it('rejects an unsupported Content-Encoding with 415', async () => {
      const res = await rawRequest(`${t.baseUrl}/post`, {
        method: 'POST',
        body: JSON.stringify(good),
        headers: { 'Content-Encoding': 'br-unknown' },
      });
      expect(res.status).toBe(415);
    });
  });
});
