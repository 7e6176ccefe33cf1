import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { ServerProcess } from '../support/server-process';
import { usingServer } from '../support/test-config';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(server: ServerProcess, body: Record<string, unknown> = {}): Promise<string> {
  const res = await clientPost(server.baseUrl, JSON.stringify(clientBody(body)));
  expect(res.status).toBe(200);
  return new URL(res.json<{ url: string }>().url).pathname;
}

const lists = async (server: ServerProcess, page: string, remix: string) =>
  (await rawRequest(`${server.baseUrl}${page}`)).text.includes(`<li><a href="${remix}">`);

/**
 * A grid page lists its remixes, and every web process has kept the page: a remix posted through
 * one process must be on the page every other process serves within 2 s (LINEAGE_MAX_AGE_MS is 1.5 s).
 */
(usingServer ? describe : describe.skip)('remix lineage, with two web processes', () => {
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    servers = await Promise.all([ServerProcess.start(), ServerProcess.start()]);
  }, 120_000);
  afterAll(() => Promise.all(servers.map((s) => s.kill())));

  it('shows a remix on its parent’s page on the other process within 2 s, and at once on its own', async () => {
    const waits: number[] = [];
    for (const [from, to] of [
      [0, 1],
      [1, 0],
      [0, 1],
    ]) {
      const parent = await post(servers[from]);
      // Both have made and kept the parent's page, without the remix.
      for (const server of servers) {
        const page = await rawRequest(`${server.baseUrl}${parent}`);
        expect(page.status).toBe(200);
        expect(page.text).not.toContain('Remixes</h2>');
      }
      const remix = await post(servers[from], { remix_of: parent.slice(1) });
      const stored = Date.now();
      expect(await lists(servers[from], parent, remix)).toBe(true);
      while (!(await lists(servers[to], parent, remix))) {
        expect(Date.now() - stored).toBeLessThan(2000);
        await sleep(20);
      }
      waits.push(Date.now() - stored);
    }
    // The figure the README quotes.
    console.log(`remix on the other process's parent page after ${waits.join(', ')} ms`);
  });
});
