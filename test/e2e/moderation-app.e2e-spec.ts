import { gridRoutes } from '../support/grid-routes';
import { HiddenGridsRepository } from '../../src/grid-storage/hidden-grids.repository';
import { GridIds } from '../../src/grid-storage/grid-ids';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { startTestApp, type TestApp, useTestApp } from '../support/test-app';
import { testConfig } from '../support/test-config';

async function post(t: TestApp, secret = false): Promise<string> {
  const res = await clientPost(t.baseUrl, JSON.stringify(clientBody({ secret })));
  expect(res.status).toBe(200);
  return new URL(res.json<{ url: string }>().url).pathname;
}

/** One app on either database: the report link, and a grid hidden before it was ever served. */
describe('moderation in the app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(testConfig({ REPORT_URL: 'mailto:abuse@example.org' }));
  });
  // Other suites on a shared server database empty the grid tables and reuse their ids.
  afterAll(async () => {
    await t.dataSource.query('TRUNCATE hidden_grids');
    await t.close();
  });

  it('links "Report this grid" to REPORT_URL, naming the grid in the e-mail subject', async () => {
    const path = await post(t);
    const page = await rawRequest(`${t.baseUrl}${path}`);
    const subject = encodeURIComponent(`Report: grid ${t.baseUrl}${path}`);
    expect(page.text).toContain(
      `<a href="mailto:abuse@example.org?subject&#x3D;${subject}" rel="nofollow">Report this grid</a>`,
    );
  });

  it('answers 410 for every route of a grid hidden before this process served it, public or secret', async () => {
    const ids = t.app.get(GridIds);
    for (const secret of [false, true]) {
      const path = await post(t, secret);
      const visibility = secret ? 'secret' : 'public';
      const id = ids.decode(visibility, path.split('/').pop()!)!;
      await t.app.get(HiddenGridsRepository).hide(visibility, id, 'spam');
      for (const route of gridRoutes(t.baseUrl, path)) {
        const res = await rawRequest(`${t.baseUrl}${route}`);
        expect([route, res.status]).toEqual([route, 410]);
        expect(res.headers['cache-control']).toBe('no-store');
      }
      const page = await rawRequest(`${t.baseUrl}${path}`);
      expect(page.text).toContain('<h1>This grid has been taken down</h1>');
      expect(page.text).not.toContain('spam');
    }
  });
});

describe('without REPORT_URL', () => {
  const t = useTestApp();

  it('has no report link on grid pages', async () => {
    const page = await rawRequest(`${t.baseUrl}${await post(t)}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Report this grid');
  });
});
