import { clientBody } from '../../test/support/grid-factory';
import { clientPost, rawRequest } from '../../test/support/http';
import { startTestApp, type TestApp } from '../../test/support/test-app';
import { GridIds } from '../grid-storage/grid-ids';
import { GridsRepository } from '../grid-storage/grids.repository';
import { DEMO_GRIDS } from './demo-grids';
import { DemoGridsService } from './demo-grids.service';

/** `demo-grids` against the real database: what a first run on an empty one shows. */
describe('DemoGridsService', () => {
  let t: TestApp;
  let demos: DemoGridsService;

  beforeAll(async () => {
    t = await startTestApp();
    // The app's own storage providers: the demo grids land where its pages read.
    demos = new DemoGridsService(t.app.get(GridsRepository), t.app.get(GridIds));
    await t.dataSource.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY');
  });
  afterAll(() => t.close());

  it('has grids with and without code cells, an ImageGrid and a secret one, each a valid post', async () => {
    expect(DEMO_GRIDS.some((d) => d.codeCells === null)).toBe(true);
    expect(DEMO_GRIDS.some((d) => (d.codeCells?.length ?? 0) > 0)).toBe(true);
    expect(DEMO_GRIDS.some((d) => d.ipbClass === 'ImageGrid')).toBe(true);
    expect(DEMO_GRIDS.filter((d) => d.secret)).toHaveLength(1);
    for (const demo of DEMO_GRIDS) {
      // What the API would take from the real client: the demo grids are posts like any other.
      const body = clientBody({
        grid_data: { ...demo.gridData },
        code_cells: demo.codeCells,
        ipb_class: demo.ipbClass,
        secret: demo.secret,
      });
      const answer = await clientPost(t.baseUrl, JSON.stringify(body));
      expect({ title: demo.title, status: answer.status }).toEqual({
        title: demo.title,
        status: 200,
      });
    }
    await t.dataSource.query('TRUNCATE public_grids, secret_grids RESTART IDENTITY');
  });

  it('fills an empty database, so the landing page, /random and /recent show them', async () => {
    const { existing, added } = await demos.fillIfEmpty();
    expect(existing).toBe(0);
    expect(added).toHaveLength(DEMO_GRIDS.length);
    for (const [i, { path }] of added.entries()) {
      const demo = DEMO_GRIDS[i];
      const page = await rawRequest(`${t.baseUrl}${path}`);
      expect(page.status).toBe(200);
      const json = await rawRequest(`${t.baseUrl}/get${path}`);
      expect(JSON.parse(json.text)).toEqual(demo.gridData);
      expect(path.startsWith('/secret/')).toBe(demo.secret);
    }
    const publicPaths = added.filter((a) => !a.path.startsWith('/secret/')).map((a) => a.path);
    const recent = await rawRequest(`${t.baseUrl}/recent`);
    for (const path of publicPaths) expect(recent.text).toContain(`href="${path}"`);
    expect(recent.text).not.toContain(added.find((a) => a.path.startsWith('/secret/'))!.path);
    const random = await rawRequest(`${t.baseUrl}/random`);
    expect(publicPaths).toContain(random.headers.location);
  });

  it('adds nothing to a database that holds grids', async () => {
    const publicCount = async () => {
      const rows: { n: number }[] = await t.dataSource.query(
        'SELECT count(*)::int AS n FROM public_grids',
      );
      return rows[0].n;
    };
    const before = await publicCount();
    const { existing, added } = await demos.fillIfEmpty();
    expect(existing).toBe(DEMO_GRIDS.length);
    expect(added).toEqual([]);
    expect(await publicCount()).toBe(before);
  });
});
