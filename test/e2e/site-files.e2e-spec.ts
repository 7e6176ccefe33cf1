import { rawRequest } from '../support/http';
import { useTestApp } from '../support/test-app';

/** What browsers and crawlers ask for at the root, and the site's own example snippets. */
describe('site files and examples', () => {
  const t = useTestApp();

  it('serves /favicon.ico as an icon, cached for a day', async () => {
    const res = await rawRequest(`${t.baseUrl}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
    // An ICO directory: reserved 0, type 1, at least one image.
    const body = Buffer.from(res.text, 'latin1');
    expect(body.readUInt16LE(0)).toBe(0);
    expect(body.readUInt16LE(2)).toBe(1);
    expect(body.readUInt16LE(4)).toBeGreaterThan(0);
  });

  it('serves /robots.txt: pages allowed, the API answers and unlisted grids not', async () => {
    const res = await rawRequest(`${t.baseUrl}/robots.txt`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const rules = res.text.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(rules).toEqual(['User-agent: *', 'Disallow: /get/', 'Disallow: /secret/', 'Allow: /']);
  });

  it.each(['/', '/about'])(
    '%s shows placeholder ids in its examples, never a real grid’s',
    async (path) => {
      const res = await rawRequest(`${t.baseUrl}${path}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain("from_web(<wbr>'GRID_ID'");
      // Grid 1 with the development salts (the ids tests and demo grids get first).
      for (const realId of ['bizkiL', 'MiXoi4']) expect(res.text).not.toContain(realId);
    },
  );
});
