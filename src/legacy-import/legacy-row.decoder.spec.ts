import { createHash } from 'node:crypto';
import type { RawLegacyRow } from './legacy-grid';
import { decodeLegacyRow } from './legacy-row.decoder';
import { rawRowForReport } from './rejects-file';

function raw(overrides: Partial<RawLegacyRow> = {}): RawLegacyRow {
  return {
    id: 7n,
    ipb_version: '1.10.dev',
    python_version: '[3, 11, 2, "final", 0]',
    grid_data:
      '{"lines_on": true, "width": 2, "height": 1, "blocks": [[[1, 2, 3, 20], [4, 5, 6, 20]]]}',
    secret: 0n,
    code_cells: '["grid.show()"]',
    ipb_class: 'BlockGrid',
    ...overrides,
  };
}

function decoded(
  overrides: Partial<RawLegacyRow> = {},
  visibility: 'public' | 'secret' = 'public',
) {
  const result = decodeLegacyRow(visibility, raw(overrides));
  if (!result.ok) throw new Error(`rejected: ${result.reason}`);
  return result;
}

function reason(overrides: Partial<RawLegacyRow>): string {
  const result = decodeLegacyRow('public', raw(overrides));
  if (result.ok) throw new Error('not rejected');
  return result.reason;
}

describe('decodeLegacyRow', () => {
  it('names the text columns holding U+FFFD, the only rows whose bytes are read again', () => {
    expect(decoded().replacedColumns).toEqual([]);
    expect(decoded({ code_cells: '["é"]' }).replacedColumns).toEqual([]);
    expect(
      decoded({
        ipb_version: '1.6\ufffd',
        ipb_class: 'BlockGrid',
        grid_data:
          '{"lines_on": true, "width": 1, "height": 1, "blocks": [[[1, 2, 3, 20]]], "x": "\ufffd"}',
        code_cells: '["\ufffd"]',
      }).replacedColumns,
    ).toEqual(['ipb_version', 'grid_data', 'code_cells']);
  });

  it('turns a clean row into jsonb text and the hash the database will compute', () => {
    const { grid, quirks } = decoded();
    expect(quirks).toEqual([]);
    expect(grid).toMatchObject({
      id: 7,
      ipbVersion: '1.10.dev',
      pythonVersion: '[3, 11, 2, "final", 0]',
      gridData:
        '{"width": 2, "blocks": [[[1, 2, 3, 20], [4, 5, 6, 20]]], "height": 1, "lines_on": true}',
      codeCells: '["grid.show()"]',
      ipbClass: 'BlockGrid',
      secret: false,
    });
    const text = `["1.10.dev", ${grid.pythonVersion}, ${grid.gridData}, ${grid.codeCells}, "BlockGrid", false]`;
    expect(grid.rowHash).toBe(createHash('md5').update(`7:${text}`).digest('hex'));
  });

  it.each([
    ['null', 'code_cells_null_string'],
    ['', 'code_cells_empty_string'],
    ['[]', 'code_cells_empty_list'],
  ])('stores code_cells %j as NULL (%s)', (codeCells, quirk) => {
    const { grid, quirks } = decoded({ code_cells: codeCells });
    expect(grid.codeCells).toBeNull();
    expect(quirks).toEqual([quirk]);
  });

  it('keeps an SQL NULL code_cells as NULL without calling it a quirk', () => {
    expect(decoded({ code_cells: null })).toMatchObject({ grid: { codeCells: null }, quirks: [] });
  });

  it('turns lines_on 0/1 into a boolean', () => {
    const { grid, quirks } = decoded({
      grid_data: '{"lines_on": 1, "width": 1, "height": 1, "blocks": [[[0, 0, 0, 1]]]}',
    });
    expect(JSON.parse(grid.gridData)).toMatchObject({ lines_on: true });
    expect(quirks).toEqual(['lines_on_int']);
  });

  it("gives a NULL secret its table's value", () => {
    expect(decoded({ secret: null }, 'public').grid.secret).toBe(false);
    expect(decoded({ secret: null }, 'secret').grid.secret).toBe(true);
    expect(decoded({ secret: null }).quirks).toEqual(['secret_flag_null']);
    expect(decoded({ secret: 1n }).grid.secret).toBe(true);
  });

  it('keeps python_version as a string or a 3-item list, as valid data', () => {
    expect(decoded({ python_version: '"2.7.6"' })).toMatchObject({
      grid: { pythonVersion: '"2.7.6"' },
      quirks: ['python_version_string'],
    });
    expect(decoded({ python_version: '[2, 7, 3]' })).toMatchObject({
      grid: { pythonVersion: '[2, 7, 3]' },
      quirks: ['python_version_3_items'],
    });
  });

  it('reads raw UTF-8 JSON as such, and a UTF-8 BLOB as text', () => {
    const { grid, quirks } = decoded({ code_cells: '["print(\'日本 🎨\')"]' });
    expect(JSON.parse(grid.codeCells!)).toEqual(["print('日本 🎨')"]);
    expect(quirks).toEqual(['raw_utf8_json']);
    const blob = Buffer.from(raw().grid_data as string, 'utf8');
    expect(decoded({ grid_data: blob }).grid.gridData).toBe(decoded().grid.gridData);
  });

  it.each<[string, Partial<RawLegacyRow>, string | RegExp]>([
    ['invalid JSON', { grid_data: '{"width": 2,' }, /^grid_data is not valid JSON \(/],
    ['a list', { grid_data: '[1, 2]' }, 'grid_data is not a JSON object'],
    ['missing keys', { grid_data: '{"width": 2}' }, 'grid_data has no height, blocks'],
    [
      'a string width',
      { grid_data: '{"width": "2", "height": 1, "blocks": []}' },
      /^grid_data.width is "2"/,
    ],
    [
      'blocks not a list',
      { grid_data: '{"width": 1, "height": 1, "blocks": 3}' },
      'grid_data.blocks is not a list',
    ],
    [
      'an odd lines_on',
      { grid_data: '{"lines_on": "yes", "width": 1, "height": 1, "blocks": []}' },
      /lines_on is "yes"/,
    ],
    ['a NULL column', { ipb_version: null }, 'ipb_version is NULL'],
    [
      'a number python_version',
      { python_version: '3' },
      'python_version is neither a list nor a string',
    ],
    [
      'code_cells not a list of strings',
      { code_cells: '[1, 2]' },
      'code_cells is not a list of strings',
    ],
    ['a secret of 2', { secret: 2n }, 'secret is 2, not 0, 1 or NULL'],
    ['id 0', { id: 0n }, /^id 0 is outside 1\.\.2147483647/],
    ['an id past int4', { id: 2147483648n }, /^id 2147483648 is outside/],
    [
      'a BLOB that is not UTF-8',
      { grid_data: Buffer.from([0xff, 0xfe]) },
      'grid_data is a BLOB that is not UTF-8 text',
    ],
    ['a NUL in a text column', { ipb_class: 'Block\u0000Grid' }, /ipb_class holds a NUL character/],
    [
      'an escaped NUL in JSON',
      { code_cells: '["a\\u0000b"]' },
      /code_cells holds a NUL character or a lone/,
    ],
    [
      'a lone surrogate',
      { code_cells: '["\\ud83c"]' },
      /code_cells holds a NUL character or a lone/,
    ],
  ])('rejects a row with %s, saying why', (_what, overrides, why) => {
    expect(reason(overrides)).toEqual(typeof why === 'string' ? why : expect.stringMatching(why));
  });
});

describe('rawRowForReport', () => {
  it('keeps the row as the file has it, in a form JSON can carry', () => {
    const report = rawRowForReport(raw({ id: 12n, secret: null, grid_data: Buffer.from([1, 2]) }));
    expect(report).toMatchObject({ id: 12, secret: null, grid_data: { blob_base64: 'AQI=' } });
    expect(rawRowForReport(raw({ id: 2n ** 63n - 1n })).id).toBe('9223372036854775807');
  });
});
