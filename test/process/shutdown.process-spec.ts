import { Agent, request } from 'node:http';
import { clientBody } from '../support/grid-factory';
import { clientPost } from '../support/http';
import { ProxiedDatabase, startProxiedDatabase } from '../support/proxied-database';
import { ServerProcess } from '../support/server-process';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  path: string;
  status: number;
  connection: string | undefined;
  at: number;
}

function get(agent: Agent, url: string): Promise<Omit<Answer, 'at' | 'path'>> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Heroku sends SIGTERM and keeps routing until the process stops answering; a load balancer
 * with keep-alive connections keeps them busy. The process must let go of them and exit.
 */
describe('SIGTERM under keep-alive load', () => {
  let db: ProxiedDatabase;
  let server: ServerProcess;

  beforeAll(async () => {
    db = await startProxiedDatabase();
    server = await ServerProcess.start({ ...db.env, SHUTDOWN_TIMEOUT_MS: '10000' });
  });
  afterAll(async () => {
    await server?.kill();
    await db?.stop();
  });

  it('drains: /health answers 503, answers close their connections, and the process exits 0 at once', async () => {
    const posted = await clientPost(server.baseUrl, JSON.stringify(clientBody()));
    const gridPath = `/get${new URL(posted.json<{ url: string }>().url).pathname}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const answers: Answer[][] = [];
    // Four connections asking for /health (a database round trip), four for a grid (memory).
    const paths = [...Array<string>(4).fill('/health'), ...Array<string>(4).fill(gridPath)];
    const loops = paths.map(async (path, i) => {
      answers[i] = [];
      for (;;) {
        try {
          const answer = await get(agent, `${server.baseUrl}${path}`);
          answers[i].push({ path, ...answer, at: Date.now() });
        } catch (err) {
          return (err as NodeJS.ErrnoException).code;
        }
      }
    });

    await sleep(1000);
    expect(answers.every((a) => a.length > 5)).toBe(true);
    // The database slows down: /health requests are in flight when SIGTERM arrives.
    db.proxy.hold();
    await sleep(200);
    const signalled = performance.now();
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    await sleep(300);
    db.proxy.release();

    const { code } = await server.waitForExit(9000);
    const exitMs = performance.now() - signalled;
    const ends = await Promise.all(loops);
    agent.destroy();

    expect(code).toBe(0);
    // 300 ms of that was the slow database.
    expect(exitMs).toBeLessThan(2500);
    const late = answers.flat().filter((a) => a.at >= signalledAt);
    // The /health requests waiting on the database when SIGTERM came: 503, connection closed.
    const lateHealth = late.filter((a) => a.path === '/health');
    expect(lateHealth.length).toBeGreaterThan(0);
    for (const answer of lateHealth)
      expect(answer).toMatchObject({ status: 503, connection: 'close' });
    // Once the drain has begun (the server's own clock), the connections are let go within a
    // few turns of the event loop: after those, each connection gets at most the answer that was
    // in flight on it, with `Connection: close`.
    const drainAt = Number(
      server.jsonLines().find((l) => String(l.msg).startsWith('SIGTERM'))!.time,
    );
    for (const connection of answers) {
      const after = connection.filter((a) => a.at >= drainAt + 300);
      expect(after.length).toBeLessThanOrEqual(1);
      for (const answer of after) expect(answer.connection).toBe('close');
    }
    // Their next request found nobody listening: none was reset.
    expect(ends.every((end) => end === 'ECONNREFUSED')).toBe(true);
    console.log(`SIGTERM to exit under keep-alive load: ${Math.round(exitMs)} ms`);
  }, 60_000);
});
