import { runCli } from '../support/cli-process';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { ServerProcess } from '../support/server-process';
import { freshEmbeddedDataDir } from '../support/test-config';

/**
 * On the embedded database the server is the only process that may open the data folder: the
 * `grid` command refuses while it runs, saying to stop it first, and a hide made while it is
 * stopped is in force as soon as it starts again.
 */
describe('hiding a grid on the embedded database', () => {
  const dataDir = freshEmbeddedDataDir();
  const env = { DATA_DIR: dataDir, HASHIDS_PUBLIC_SALT: 'public', HASHIDS_SECRET_SALT: 'secret' };
  const grid = (args: string[]) => runCli(['grid', ...args], env);
  const start = () => ServerProcess.start({ DATABASE_URL: undefined, DATA_DIR: dataDir });
  let server: ServerProcess | undefined;
  afterAll(() => server?.kill());

  const statuses = async (paths: string[]) =>
    Promise.all(paths.map(async (p) => (await rawRequest(`${server!.baseUrl}${p}`)).status));

  it('refuses while the server runs (stop the server first), and the server takes the hide when it starts again', async () => {
    server = await start();
    const posted = await clientPost(server.baseUrl, JSON.stringify(clientBody()));
    const path = new URL(posted.json<{ url: string }>().url).pathname;
    const routes = [path, `/get${path}`, `${path}.png`, `${path}.py`];
    expect(await statuses(routes)).toEqual([200, 200, 200, 200]);

    const refused = await grid(['hide', path, '--reason', 'spam']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`already in use by process ${server.pid}`);
    expect(refused.stderr).toContain('stop the server first');
    expect(await statuses(routes)).toEqual([200, 200, 200, 200]);

    await server.stop(10_000);
    const hidden = await grid(['hide', path, '--reason', 'spam']);
    expect(hidden).toMatchObject({ code: 0, stderr: '' });
    server = await start();
    expect(await statuses(routes)).toEqual([410, 410, 410, 410]);
    const random = await rawRequest(`${server.baseUrl}/random`);
    expect(random.headers.location).toBeUndefined();
    expect(random.text).toContain('No grids yet');

    await server.stop(10_000);
    expect((await grid(['hidden'])).stdout).toMatch(new RegExp(`${path} +spam\\n`));
    expect((await grid(['unhide', path])).code).toBe(0);
    server = await start();
    expect(await statuses(routes)).toEqual([200, 200, 200, 200]);
  }, 180_000);
});
