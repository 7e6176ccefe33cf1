import { Agent, request } from 'node:http';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest, RawResponse } from '../support/http';
import { ProxiedDatabase, startProxiedDatabase } from '../support/proxied-database';
import { ServerProcess } from '../support/server-process';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every deploy and daily restart is a SIGTERM with requests in flight. What was in flight must
 * end as a 200, or as a 503 the client may retry: never a 500, never a reset connection.
 */
describe('SIGTERM with work on the worker threads', () => {
  let server: ServerProcess;

  // No answer cache: each page request renders on a worker.
  beforeAll(async () => {
    server = await ServerProcess.start({ GRID_CACHE_MB: '0', SHUTDOWN_TIMEOUT_MS: '20000' });
  });
  afterAll(() => server?.kill());

  it('finishes the big posts and uncached renders in flight before it closes the workers', async () => {
    // 160x160 blocks: about 400 KB of JSON, over the size that is checked on a worker.
    const bigBody = JSON.stringify(clientBody({}, 160, 160));
    expect(bigBody.length).toBeGreaterThan(256 * 1024);
    const posted = await clientPost(server.baseUrl, bigBody);
    expect(posted.status).toBe(200);
    const page = new URL(posted.json<{ url: string }>().url).pathname;

    const sent: Promise<void>[] = [];
    const send = (path: string, body?: string) => {
      let onSent!: () => void;
      sent.push(new Promise((resolve) => (onSent = resolve)));
      const method = body === undefined ? 'GET' : 'POST';
      return rawRequest(`${server.baseUrl}${path}`, { method, body, onSent }).catch(
        (err: Error) => `error ${err.message}`,
      );
    };
    const inFlight: Promise<RawResponse | string>[] = [];
    for (let i = 0; i < 8; i++) {
      inFlight.push(send('/post', bigBody), send(page), send(`${page}.svg`));
    }
    // Sent, and waiting for the two worker threads, which take a few seconds for all of them.
    await Promise.all(sent);
    await sleep(50);
    console.log(`SIGTERM at ${Date.now() % 100000}`);
    server.child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    console.log(
      server.output
        .split('\n')
        .filter((l) => l.startsWith('DBG'))
        .join('\n'),
    );
    const { code } = await server.waitForExit(20_000);

    const outcomes = answers.map((a) =>
      typeof a === 'string' ? a : `${a.status}${retryAfter(a)}`,
    );
    expect(outcomes.filter((o) => !/^200$|^503 retry-after \d+$/.test(o))).toEqual([]);
    // They could finish: a deploy loses none of them.
    expect(outcomes.filter((o) => o === '200').length).toBe(answers.length);
    expect(code).toBe(0);
    const errors = server.jsonLines().filter((l) => Number(l.level) >= 50);
    expect(errors).toEqual([]);
  }, 60_000);
});

describe('SIGTERM with a request that cannot finish in time', () => {
  let db: ProxiedDatabase;
  let server: ServerProcess;
  beforeAll(async () => {
    db = await startProxiedDatabase();
    server = await ServerProcess.start({ ...db.env, SHUTDOWN_TIMEOUT_MS: '1500' });
  });
  afterAll(async () => {
    await server?.kill();
    db?.proxy.release();
    await db?.stop();
  });

  it('answers it 503 with Retry-After at the deadline, then exits', async () => {
    // The database stops answering: the post waits on its INSERT past the shutdown deadline.
    db.proxy.hold();
    const answer = clientPost(server.baseUrl, JSON.stringify(clientBody()));
    await sleep(300);
    server.child.kill('SIGTERM');
    const res = await answer;
    const { code } = await server.waitForExit(5000);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers.connection).toBe('close');
    expect(res.json<{ message: string }>().message).toMatch(/restarting/);
    expect(code).toBe(1);
  }, 30_000);
});

function retryAfter(answer: RawResponse): string {
  const value = answer.headers['retry-after'];
  return value === undefined ? '' : ` retry-after ${String(value)}`;
}

interface KeepAliveEnd {
  answers: number;
  /** How the loop ended: the error its last request met. */
  end: string;
}

/**
 * A router's keep-alive connections send the next request the moment an answer is in. Closing
 * such a connection as "idle" at SIGTERM races that request: the client sees a reset. Idle
 * connections must be closed only once they are quiet, and busy ones by `Connection: close`.
 */
describe('SIGTERM under keep-alive load, many connections', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await ServerProcess.start({ SHUTDOWN_TIMEOUT_MS: '10000' });
  });
  afterAll(() => server?.kill());

  it('resets none of them: each ends with its last answer, then finds nobody listening', async () => {
    const posted = await clientPost(server.baseUrl, JSON.stringify(clientBody()));
    const path = `/get${new URL(posted.json<{ url: string }>().url).pathname}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    let signalled = false;
    const loops = Array.from({ length: 64 }, async (): Promise<KeepAliveEnd> => {
      let answers = 0;
      for (;;) {
        try {
          const status = await get(agent, `${server.baseUrl}${path}`);
          if (status !== 200) return { answers, end: `status ${status}` };
          answers++;
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          return { answers, end: signalled ? (e.code ?? e.message) : `before SIGTERM: ${e.code}` };
        }
      }
    });
    await sleep(1500);
    signalled = true;
    server.child.kill('SIGTERM');
    const ends = await Promise.all(loops);
    agent.destroy();
    const { code } = await server.waitForExit(10_000);

    expect(code).toBe(0);
    expect(ends.every((e) => e.answers > 0)).toBe(true);
    const resets = ends.filter((e) => e.end !== 'ECONNREFUSED');
    expect(resets).toEqual([]);
  }, 60_000);
});

function get(agent: Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
