import type { Visibility } from '../../src/grid-storage/grid-data';
import { GridIds } from '../../src/grid-storage/grid-ids';
import { GridsRepository } from '../../src/grid-storage/grids.repository';
import { HiddenGridsRepository } from '../../src/grid-storage/hidden-grids.repository';
import { blocks, clientBody, type ClientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

/** A posted grid, as its page's path names it. */
interface Posted {
  path: string;
  visibility: Visibility;
  hashId: string;
  /** `remix_of` naming it. */
  ref: string;
}

describe('remix lineage', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  // Other suites on a shared server database empty the grid tables and reuse their ids.
  afterAll(async () => {
    await t.dataSource.query('TRUNCATE hidden_grids');
    await t.close();
  });

  async function post(overrides: Partial<ClientBody> = {}, width = 3, height = 2): Promise<Posted> {
    const res = await clientPost(t.baseUrl, JSON.stringify(clientBody(overrides, width, height)));
    expect([res.status, res.text]).toEqual([200, expect.any(String)]);
    const path = new URL(res.json<{ url: string }>().url).pathname;
    const secret = path.startsWith('/secret/');
    const hashId = path.split('/').pop()!;
    return {
      path,
      visibility: secret ? 'secret' : 'public',
      hashId,
      ref: secret ? `secret/${hashId}` : hashId,
    };
  }

  const idOf = (grid: Posted) => t.app.get(GridIds).decode(grid.visibility, grid.hashId)!;

  /** The parent stored for `grid`, as the `remix_of` that names it; null for none. */
  async function parentOf(grid: Posted): Promise<string | null> {
    const parent = await t.app.get(GridsRepository).findParent(grid.visibility, idOf(grid));
    if (!parent) return null;
    const hashId = t.app.get(GridIds).encode(parent.visibility, parent.id);
    return parent.visibility === 'secret' ? `secret/${hashId}` : hashId;
  }

  const count = async () => {
    const grids = t.app.get(GridsRepository);
    return (await grids.count('public')) + (await grids.count('secret'));
  };

  const hide = (grid: Posted) =>
    t.app.get(HiddenGridsRepository).hide(grid.visibility, idOf(grid), 'test');

  describe('POST /post with remix_of', () => {
    it('records a public parent, and a secret one, for a public or a secret remix', async () => {
      const publicParent = await post();
      const secretParent = await post({ secret: true });
      for (const parent of [publicParent, secretParent]) {
        for (const secret of [false, true]) {
          const remix = await post({ remix_of: parent.ref, secret });
          expect(await parentOf(remix)).toBe(parent.ref);
        }
      }
    });

    it('stores a remix of an unknown grid, a hidden one or one of the other visibility without a parent', async () => {
      const parent = await post();
      const hidden = await post();
      await hide(hidden);
      for (const ref of ['zzzzzz', 'a', 'A'.repeat(32), `secret/${parent.hashId}`, hidden.ref]) {
        const remix = await post({ remix_of: ref });
        expect([ref, await parentOf(remix)]).toEqual([ref, null]);
      }
    });

    it('takes null, as no remix_of', async () => {
      const remix = await post({ remix_of: null });
      expect(await parentOf(remix)).toBeNull();
    });

    it.each([
      ['a number', 42],
      ['a boolean', true],
      ['a list', ['aB3dE9']],
      ['an object', { id: 'aB3dE9' }],
      ['an empty string', ''],
      ['"secret/" alone', 'secret/'],
      ['a URL', 'http://www.ipythonblocks.org/aB3dE9'],
      ['another prefix', 'public/aB3dE9'],
      ['spaces', ' aB3dE9'],
      ['33 characters', 'a'.repeat(33)],
      ['a NUL', 'aB3\u0000dE9'],
    ])('refuses %s with a 400 naming remix_of, storing nothing', async (_name, remixOf) => {
      const before = await count();
      const res = await clientPost(t.baseUrl, JSON.stringify(clientBody({ remix_of: remixOf })));
      expect(res.status).toBe(400);
      const answer = res.json<{ message: string; errors: { field: string; message: string }[] }>();
      expect(answer.errors).toEqual([
        {
          field: 'remix_of',
          message: expect.stringContaining('"<hashid>" or "secret/<hashid>"') as string,
        },
      ]);
      expect(answer.message).toContain('remix_of');
      expect(await count()).toBe(before);
    });

    it('checks remix_of in a big body, which is read on the worker thread, the same way', async () => {
      const parent = await post();
      const big = (remixOf: unknown) =>
        JSON.stringify(clientBody({ remix_of: remixOf, grid_data: bigGrid() }));
      expect(big(parent.ref).length).toBeGreaterThan(256 * 1024);
      const stored = await clientPost(t.baseUrl, big(parent.ref));
      expect(stored.status).toBe(200);
      const path = new URL(stored.json<{ url: string }>().url).pathname;
      const remix: Posted = {
        path,
        visibility: 'public',
        hashId: path.slice(1),
        ref: path.slice(1),
      };
      expect(await parentOf(remix)).toBe(parent.ref);
      const refused = await clientPost(t.baseUrl, big(7));
      expect(refused.status).toBe(400);
      expect(refused.json<{ errors: { field: string }[] }>().errors).toEqual([
        expect.objectContaining({ field: 'remix_of' }),
      ]);
    });

    it('serves /get exactly as posted: remix_of is not part of the grid', async () => {
      const parent = await post();
      const body = clientBody({ code_cells: null });
      const plain = await clientPost(t.baseUrl, JSON.stringify(body));
      const remix = await clientPost(t.baseUrl, JSON.stringify({ ...body, remix_of: parent.ref }));
      const got = async (res: typeof plain) =>
        (await rawRequest(`${t.baseUrl}/get${new URL(res.json<{ url: string }>().url).pathname}`))
          .text;
      expect(await got(remix)).toBe(await got(plain));
      expect(JSON.parse(await got(remix))).toEqual(body.grid_data);
    });
  });

  describe('lineage read from the code cells', () => {
    it('takes the first BlockGrid/ImageGrid.from_web call when there is no remix_of', async () => {
      const parent = await post();
      const secretParent = await post({ secret: true });
      const cells = (code: string) => ['from ipythonblocks import BlockGrid', code, 'grid.show()'];
      const fromCode = async (code: string) => parentOf(await post({ code_cells: cells(code) }));
      expect(await fromCode(`grid = BlockGrid.from_web('${parent.hashId}')`)).toBe(parent.ref);
      expect(
        await fromCode(`grid = ImageGrid.from_web("${parent.hashId}", origin='upper-left')`),
      ).toBe(parent.ref);
      expect(
        await fromCode(`grid = BlockGrid.from_web('${secretParent.hashId}', secret=True)`),
      ).toBe(secretParent.ref);
      // Read from the code: the id as written, an id that is no grid counts for nothing.
      expect(await fromCode(`grid = BlockGrid.from_web('${secretParent.hashId}')`)).toBeNull();
      expect(await fromCode(`grid = BlockGrid.from_web('zzzzzz')`)).toBeNull();
      expect(await fromCode(`# grid = BlockGrid.from_web('${parent.hashId}')`)).toBeNull();
      // Several calls: the first counts, even when its grid is unknown.
      expect(
        await fromCode(
          `a = BlockGrid.from_web('${secretParent.hashId}', secret=True)\n` +
            `b = BlockGrid.from_web('${parent.hashId}')`,
        ),
      ).toBe(secretParent.ref);
      expect(
        await fromCode(
          `a = BlockGrid.from_web('zzzzzz')\nb = BlockGrid.from_web('${parent.hashId}')`,
        ),
      ).toBeNull();
    });

    it('is not read when remix_of is given, even one naming no grid', async () => {
      const parent = await post();
      const other = await post();
      const code_cells = [`grid = BlockGrid.from_web('${parent.hashId}')`];
      expect(await parentOf(await post({ code_cells, remix_of: other.ref }))).toBe(other.ref);
      expect(await parentOf(await post({ code_cells, remix_of: 'zzzzzz' }))).toBeNull();
    });
  });
});

/** A grid_data whose post is over the worker thread's threshold (256 KB). */
function bigGrid(): ClientBody['grid_data'] {
  return { lines_on: true, width: 130, height: 130, blocks: blocks(130, 130) };
}
