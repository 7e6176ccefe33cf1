import type { Visibility } from '../../src/grid-storage/grid-data';
import { OFF_THREAD_BODY_BYTES } from '../../src/grid-api/json-body.interceptor';
import { GRID_CACHE_CONTROL } from '../../src/grid-pages/immutable-answer';
import { GridIds } from '../../src/grid-storage/grid-ids';
import { GridsRepository } from '../../src/grid-storage/grids.repository';
import { HiddenGridsRepository } from '../../src/grid-storage/hidden-grids.repository';
import { blocks, clientBody, type ClientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { usingServer } from '../support/test-config';

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
    const id = idOf(grid);
    const { parent } = (
      await t.app.get(GridsRepository).findLineages(grid.visibility, [id], 1)
    ).get(id)!;
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
      expect(big(parent.ref).length).toBeGreaterThan(OFF_THREAD_BODY_BYTES);
      // The first task of a worker thread compiles its TypeScript first: seconds on a busy
      // machine, more than Node's agent lets a quiet socket be.
      const bigPost = (body: string) =>
        rawRequest(`${t.baseUrl}/post`, { method: 'POST', body, timeoutMs: 60_000 });
      const stored = await bigPost(big(parent.ref));
      expect(stored.status).toBe(200);
      const path = new URL(stored.json<{ url: string }>().url).pathname;
      const remix: Posted = {
        path,
        visibility: 'public',
        hashId: path.slice(1),
        ref: path.slice(1),
      };
      expect(await parentOf(remix)).toBe(parent.ref);
      const refused = await bigPost(big(7));
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

  describe('grid pages', () => {
    const page = async (path: string, headers: Record<string, string> = {}) => {
      const res = await rawRequest(`${t.baseUrl}${path}`, { headers });
      expect([path, res.status]).toEqual([path, 200]);
      return res;
    };
    const html = async (path: string) => (await page(path)).text;
    /** The hashIds the page's "Remixes" section lists, in its order. */
    const listed = (text: string) => {
      const start = text.indexOf('<section class="remixes"');
      if (start < 0) return [];
      const section = text.slice(start, text.indexOf('</section>', start));
      return [...section.matchAll(/<li><a href="\/(\w+)">/g)].map((m) => m[1]);
    };
    const remixedFrom = (text: string) =>
      /<p class="remixed-from">Remixed from <a href="\/(\w+)">grid <code>\1<\/code><\/a><\/p>/.exec(
        text,
      )?.[1] ?? null;
    /** Until `check` passes, or it has been `ms`. */
    async function eventually(check: () => Promise<void>, ms = 2000): Promise<void> {
      const deadline = Date.now() + ms;
      for (;;) {
        try {
          return await check();
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }

    it('says what a grid remixes and lists its remixes, newest first, at once', async () => {
      const parent = await post();
      const before = await html(parent.path);
      expect(listed(before)).toEqual([]);
      expect(before).not.toContain('Remixes</h2>');
      expect(remixedFrom(before)).toBeNull();

      const first = await post({ remix_of: parent.ref });
      const second = await post({ code_cells: [`g = BlockGrid.from_web('${parent.hashId}')`] });
      const text = await html(parent.path);
      expect(listed(text)).toEqual([second.hashId, first.hashId]);
      expect(text).toContain(`<img src="/${second.hashId}.png?size=thumb"`);
      expect(remixedFrom(await html(first.path))).toBe(parent.hashId);
      expect(remixedFrom(await html(second.path))).toBe(parent.hashId);
    });

    it('keeps secrets: a secret remix is never listed, a secret parent never named', async () => {
      const publicParent = await post();
      const secretParent = await post({ secret: true });
      const secretRemix = await post({ remix_of: publicParent.ref, secret: true });
      const publicRemixOfSecret = await post({ remix_of: secretParent.ref });
      const secretRemixOfSecret = await post({ remix_of: secretParent.ref, secret: true });

      const parentPage = await html(publicParent.path);
      expect(listed(parentPage)).toEqual([]);
      expect(parentPage).not.toContain(secretRemix.hashId);
      // A secret grid's own page may link the public grid it remixes.
      expect(remixedFrom(await html(secretRemix.path))).toBe(publicParent.hashId);
      // A public remix of a secret grid says nothing of it.
      const publicPage = await html(publicRemixOfSecret.path);
      expect(remixedFrom(publicPage)).toBeNull();
      expect(publicPage).not.toContain(secretParent.hashId);
      expect(publicPage).not.toContain('Remixed from');
      // Nor does a secret remix of a secret grid: its link may travel further than the parent's.
      const secretPage = await html(secretRemixOfSecret.path);
      expect(secretPage).not.toContain('Remixed from');
      expect(secretPage).not.toContain(secretParent.hashId);
      // The secret grid's page lists its public remixes (they are public), not the secret one.
      expect(listed(await html(secretParent.path))).toEqual([publicRemixOfSecret.hashId]);
      expect(listed2(await html(`${secretParent.path}/remixes`))).toEqual([
        publicRemixOfSecret.hashId,
      ]);
    });

    it('never shows a hidden grid as a remix or a parent, and a hidden parent leaves its remixes whole', async () => {
      const parent = await post();
      const kept = await post({ remix_of: parent.ref });
      const takenDown = await post({ remix_of: parent.ref });
      expect(listed(await html(parent.path))).toEqual([takenDown.hashId, kept.hashId]);
      await hide(takenDown);
      expect(listed2(await html(`${parent.path}/remixes`))).toEqual([kept.hashId]);
      // On the embedded database hides take a restart (the process holds the database): it goes
      // by what it knew. On a server one, its notification reaches every process within a second.
      if (!usingServer) return;
      await eventually(async () => expect(listed(await html(parent.path))).toEqual([kept.hashId]));

      expect(remixedFrom(await html(kept.path))).toBe(parent.hashId);
      await hide(parent);
      await eventually(async () => {
        const orphan = await html(kept.path);
        expect(remixedFrom(orphan)).toBeNull();
        expect(orphan).not.toContain(parent.hashId);
      });
      const status = async (path: string) => (await rawRequest(`${t.baseUrl}${path}`)).status;
      expect(await status(`${parent.path}/remixes`)).toBe(410);
      await eventually(async () => expect(await status(parent.path)).toBe(410));
      await t.app.get(HiddenGridsRepository).unhide('public', idOf(parent));
      await eventually(async () => expect(remixedFrom(await html(kept.path))).toBe(parent.hashId));
    });

    it('lists 20 remixes on the grid page and pages through all of them at /<id>/remixes', async () => {
      const parent = await post();
      const remixes: string[] = [];
      for (let i = 0; i < 30; i++) remixes.unshift((await post({ remix_of: parent.ref })).hashId);
      const text = await html(parent.path);
      expect(listed(text)).toEqual(remixes.slice(0, 20));
      const older = `/${parent.hashId}/remixes?before=${remixes[19]}`;
      // hbs escapes = in attributes, as browsers read them.
      const attribute = (url: string) => url.replace('=', '&#x3D;');
      expect(text).toContain(`<a href="${attribute(older)}" rel="next">Older remixes →</a>`);

      const first = await html(`${parent.path}/remixes`);
      expect(listed2(first)).toEqual(remixes.slice(0, 24));
      expect(first).toContain(
        `href="${attribute(`${parent.path}/remixes?before=${remixes[23]}`)}" rel="next"`,
      );
      const second = await html(`${parent.path}/remixes?before=${remixes[23]}`);
      expect(listed2(second)).toEqual(remixes.slice(24));
      expect(second).not.toContain('rel="next"');
      expect(second).toContain(`<a href="${parent.path}/remixes">← Newest remixes</a>`);
      expect(listed2(await html(older))).toEqual(remixes.slice(20));

      expect((await rawRequest(`${t.baseUrl}${parent.path}/remixes?before=zzzzzz`)).status).toBe(
        404,
      );
      const twice = await rawRequest(`${t.baseUrl}${parent.path}/remixes?before=a&before=b`);
      expect(twice.status).toBe(400);
      expect(twice.text).toContain('before must be one grid id');
      expect((await rawRequest(`${t.baseUrl}/zzzzzz/remixes`)).status).toBe(404);
      expect((await rawRequest(`${t.baseUrl}/secret/${parent.hashId}/remixes`)).status).toBe(404);
    });

    it('lets caches keep a page only until they ask again; /get, PNG and SVG stay immutable and byte-identical', async () => {
      const parent = await post();
      const formats = async () =>
        Promise.all(
          [`/get${parent.path}`, `${parent.path}.png`, `${parent.path}.svg`].map(async (path) => {
            const res = await page(path, { 'Accept-Encoding': 'identity' });
            return [
              path,
              res.headers['cache-control'],
              res.headers.etag,
              res.body.toString('base64'),
            ];
          }),
        );
      const before = await formats();
      const first = await page(parent.path);
      expect(first.headers['cache-control']).toBe('public, no-cache');
      const etag = first.headers.etag as string;
      expect(
        (await rawRequest(`${t.baseUrl}${parent.path}`, { headers: { 'If-None-Match': etag } }))
          .status,
      ).toBe(304);

      const remix = await post({ remix_of: parent.ref });
      const changed = await rawRequest(`${t.baseUrl}${parent.path}`, {
        headers: { 'If-None-Match': etag },
      });
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
      expect(listed(changed.text)).toEqual([remix.hashId]);
      expect(await formats()).toEqual(before);
      for (const [, cacheControl] of before) expect(cacheControl).toBe(GRID_CACHE_CONTROL);
    });
  });
});

/** A grid_data whose post is over the worker thread's threshold (OFF_THREAD_BODY_BYTES). */
function bigGrid(): ClientBody['grid_data'] {
  return { lines_on: true, width: 130, height: 130, blocks: blocks(130, 130) };
}

/** The hashIds a `/<id>/remixes` page lists, in its order. */
function listed2(text: string): string[] {
  const start = text.indexOf('<ul class="gallery">');
  if (start < 0) return [];
  const list = text.slice(start, text.indexOf('</ul>', start));
  return [...list.matchAll(/<li><a href="\/(\w+)">/g)].map((m) => m[1]);
}
