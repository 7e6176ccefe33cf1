import { blocks, clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { useTestApp } from '../support/test-app';
import { GridsRepository } from '../../src/grid-storage/grids.repository';

/**
 * `/get` returns the grid data exactly as posted: every key, every value. What JavaScript
 * cannot hold exactly is refused with a 400 naming the field, never stored changed.
 */
describe('grid data exactly as posted, or refused', () => {
  const t = useTestApp();
  const grids = () => t.app.get(GridsRepository);

  /** The client's body as JSON text, with `gridDataTail` spliced in as more grid_data keys. */
  function bodyWith(gridDataTail: string, secret = false): string {
    const text = JSON.stringify(clientBody({ secret }));
    const at = text.indexOf('"grid_data":{') + '"grid_data":{'.length;
    return `${text.slice(0, at)}${gridDataTail}, ${text.slice(at)}`;
  }

  async function postAndGet(body: string): Promise<unknown> {
    const posted = await clientPost(t.baseUrl, body);
    expect(posted.status).toBe(200);
    const url = new URL(posted.json<{ url: string }>().url);
    const got = await rawRequest(`${t.baseUrl}/get${url.pathname}`);
    expect(got.status).toBe(200);
    return got.json();
  }

  it('keeps keys named like Object.prototype members: constructor, __proto__, toString', async () => {
    const body = bodyWith('"constructor": "kept", "__proto__": {"polluted": true}, "toString": 1');
    const got = (await postAndGet(body)) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(got, 'constructor')).toBe(true);
    expect(got['constructor']).toBe('kept');
    expect(Object.getOwnPropertyDescriptor(got, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.getOwnPropertyDescriptor(got, 'toString')?.value).toBe(1);
    // Nothing leaked into the prototypes of this process (the app runs in it).
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps numbers whose value JavaScript holds, however they are spelt', async () => {
    const got = (await postAndGet(
      bodyWith('"n": [1.0, 1E2, -0, 0.1, 1.5e-7, 9007199254740991]'),
    )) as {
      n: number[];
    };
    expect(got.n).toEqual([1, 100, 0, 0.1, 1.5e-7, 9007199254740991]);
  });

  it.each([
    ['a 33-digit integer', '"big": 123456789012345678901234567890123', 'grid_data.big'],
    ['1e400 in an extra key', '"huge": 1e400', 'grid_data.huge'],
    ['1e-400', '"tiny": [1, 1e-400]', 'grid_data.tiny[1]'],
    ['more than 15 digits', '"pi": 3.14159265358979323846', 'grid_data.pi'],
  ])('refuses %s with a 400 naming the field, storing nothing', async (_what, tail, field) => {
    const before = await grids().count('public');
    const res = await clientPost(t.baseUrl, bodyWith(tail));
    expect(res.status).toBe(400);
    const answer = res.json<{ errors: { field: string; message: string }[] }>();
    expect(answer.errors).toEqual([
      { field, message: expect.stringContaining('cannot be kept exactly') as string },
    ]);
    expect(await grids().count('public')).toBe(before);
  });

  it('refuses an inexact number in a known field (a block) the same way', async () => {
    const grid = blocks(2, 1);
    const text = JSON.stringify(
      clientBody({ grid_data: { lines_on: true, width: 2, height: 1, blocks: grid } }),
    );
    const res = await clientPost(t.baseUrl, text.replace('[0,0,0,20]', '[0,0,1e400,20]'));
    expect(res.status).toBe(400);
    expect(res.json<{ errors: { field: string }[] }>().errors[0].field).toBe(
      'grid_data.blocks[0][0][2]',
    );
  });

  it('refuses them in big bodies too (checked on the worker thread)', async () => {
    const big = JSON.stringify(clientBody({}, 200, 200));
    expect(big.length).toBeGreaterThan(256 * 1024);
    const res = await clientPost(t.baseUrl, big.replace('"width":200', '"big":1e400,"width":200'));
    expect(res.status).toBe(400);
    expect(res.json<{ errors: { field: string }[] }>().errors[0].field).toBe('grid_data.big');
  });
});
