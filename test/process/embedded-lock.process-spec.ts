import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { ServerProcess } from '../support/server-process';
import { freshEmbeddedDataDir } from '../support/test-config';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function postGrid(server: ServerProcess): Promise<string> {
  const res = await clientPost(server.baseUrl, JSON.stringify(clientBody()));
  expect(res.status).toBe(200);
  return new URL(res.json<{ url: string }>().url).pathname;
}

/**
 * One embedded data folder, one process: a second process is refused while the owner lives,
 * even when the owner is paused, and is let in at once when the owner is dead.
 */
describe('the embedded data folder lock (processes)', () => {
  const servers: ServerProcess[] = [];
  const start = async (dataDir: string) => {
    const server = await ServerProcess.start({ DATABASE_URL: undefined, DATA_DIR: dataDir });
    servers.push(server);
    return server;
  };
  afterAll(async () => {
    for (const server of servers) {
      if (server.running) server.child.kill('SIGCONT');
      await server.kill();
    }
  });

  it('is never taken from a live owner, even one paused longer than any staleness timeout, and the owner keeps its writes', async () => {
    const dataDir = freshEmbeddedDataDir();
    const owner = await start(dataDir);
    const before = await postGrid(owner);

    owner.child.kill('SIGSTOP');
    try {
      // The old lock called an owner silent for 15 s stale.
      await sleep(17_000);
      const intruder = await ServerProcess.spawn({ DATABASE_URL: undefined, DATA_DIR: dataDir });
      servers.push(intruder);
      const { code } = await intruder.waitForExit(30_000);
      expect(code).not.toBe(0);
      const refusal = intruder
        .jsonLines()
        .map((line) => String(line.msg))
        .filter((msg) => msg.includes(dataDir));
      expect(refusal).toHaveLength(1);
      expect(refusal[0]).toContain(`in use by process ${owner.pid}`);
    } finally {
      owner.child.kill('SIGCONT');
    }

    const after = await postGrid(owner);
    expect((await rawRequest(`${owner.baseUrl}/health`)).status).toBe(200);
    for (const path of [before, after]) {
      expect((await rawRequest(`${owner.baseUrl}/get${path}`)).status).toBe(200);
    }
    expect(owner.output).not.toMatch(/lock (lost|compromised)/i);
  }, 120_000);

  it('is taken at once when its owner was killed (kill -9), with every acknowledged post kept', async () => {
    const dataDir = freshEmbeddedDataDir();
    const first = await start(dataDir);
    const posted = [await postGrid(first), await postGrid(first)];
    first.child.kill('SIGKILL');
    await first.exited;

    const started = Date.now();
    const second = await start(dataDir);
    // Process start-up (ts-node, PGlite) only: no waiting for a lock to go stale.
    expect(Date.now() - started).toBeLessThan(12_000);
    for (const path of posted) {
      expect((await rawRequest(`${second.baseUrl}/get${path}`)).status).toBe(200);
    }
    expect(second.output).not.toContain('already in use');
  }, 120_000);
});
