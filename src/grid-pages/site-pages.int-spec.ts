import { clientBody } from '../../test/support/grid-factory';
import { clientPost, rawRequest } from '../../test/support/http';
import { startTestApp, type TestApp } from '../../test/support/test-app';
import type { Origin } from '../common/public-origin';
import { GridIds } from '../grid-storage/grid-ids';
import { RenderedPage, Redirect } from './page-answer';
import { SitePages } from './site-pages.service';

const ORIGIN: Origin = { url: 'http://www.example.org', source: 'configured' };

/** The site's own pages against the real database, as the app wires them. */
describe('SitePages', () => {
  let t: TestApp;
  let pages: SitePages;

  beforeAll(async () => {
    t = await startTestApp();
    pages = t.app.get(SitePages);
    await t.dataSource.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY');
  });
  afterAll(() => t.close());

  it('sends /random to a public grid, or renders a friendly page while there is none', async () => {
    expect(await pages.random(ORIGIN)).toBeInstanceOf(RenderedPage);
    // Anywhere but the real site, the empty page says how to point the library here.
    const empty = await rawRequest(`${t.baseUrl}/random`);
    // The constant lives in the library's inner module: the package's own copy is never read.
    expect(empty.text).toContain(
      `import ipythonblocks.ipythonblocks as ipb\nipb._POST_URL = '${t.baseUrl}/post'`,
    );
    const real = await rawRequest(`${t.baseUrl}/random`, {
      headers: { host: 'www.ipythonblocks.org' },
    });
    expect(real.text).toContain('grid.post_to_web()');
    expect(real.text).not.toContain('_POST_URL');
    await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret: true })));
    expect(await pages.random(ORIGIN)).toBeInstanceOf(RenderedPage);
    await clientPost(t.baseUrl, JSON.stringify(clientBody()));
    expect(await pages.random(ORIGIN)).toBeInstanceOf(Redirect);
  });

  it('lists recent public grids a page at a time, never a secret one', async () => {
    for (let i = 0; i < 25; i++) await clientPost(t.baseUrl, JSON.stringify(clientBody()));
    expect(await pages.recent(undefined, ORIGIN)).toBeInstanceOf(RenderedPage);
    const ids = t.app.get(GridIds);
    const recent = await rawRequest(`${t.baseUrl}/recent`);
    const gallery = recent.text.slice(recent.text.indexOf('<ul class="gallery">'));
    const listed = [...gallery.matchAll(/<li><a href="\/(\w+)">/g)].map((m) => m[1]);
    expect(listed).toHaveLength(24);
    expect(listed[0]).toBe(ids.encode('public', 26));
    expect(recent.text).toContain(`/recent?before=${ids.encode('public', 3)}`);
    expect(listed).not.toContain(ids.encode('secret', 1));
  });

  it('keeps the landing and about pages once rendered, per origin', async () => {
    expect(await pages.landing(ORIGIN)).toBe(await pages.landing(ORIGIN));
    expect(await pages.about(ORIGIN)).not.toBe(await pages.landing(ORIGIN));
  });
});
