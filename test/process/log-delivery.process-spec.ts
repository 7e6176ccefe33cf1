import { once } from 'node:events';
import { connect } from 'node:net';
import { startProxiedDatabase, type ProxiedDatabase } from '../support/proxied-database';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { ServerProcess } from '../support/server-process';

/**
 * What reaches a dyno's log, read from the server's stdout pipe as Heroku's log router reads it:
 * every line within a second, warnings and errors at once, nothing lost on SIGTERM, at most the
 * last second on SIGKILL.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `found` until it holds or `timeoutMs` passes; the last result either way. */
async function waitFor(found: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!found()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** True once the server's port takes a TCP connection: no request, so nothing logged. */
async function listening(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/** Twice, 200 ms apart: the start checks that its port is free by listening on it an instant. */
async function listeningForGood(port: number): Promise<boolean> {
  if (!(await listening(port))) return false;
  await sleep(200);
  return listening(port);
}

const port = (server: ServerProcess) => Number(new URL(server.baseUrl).port);

/** The request lines the server wrote for `path`. */
const requestLines = (server: ServerProcess, path: string) =>
  server.jsonLines('stdout').filter((l) => l.context === 'HTTP' && l.url === path);

describe('logs of a spawned server, read from its stdout pipe', () => {
  const servers: ServerProcess[] = [];
  const spawn = async (env: NodeJS.ProcessEnv = {}) => {
    const server = await ServerProcess.spawn({ LOG_FORMAT: undefined, ...env });
    servers.push(server);
    return server;
  };
  afterAll(async () => {
    for (const server of servers) await server.kill();
  });

  it('on a quiet server, shows its boot lines within a second of listening, without any request', async () => {
    const server = await spawn();
    const deadline = Date.now() + 60_000;
    while (!(await listeningForGood(port(server)))) {
      if (!server.running || Date.now() > deadline) throw new Error(`no start:\n${server.output}`);
      await sleep(100);
    }
    await waitFor(() => server.stdout.includes('Listening on port'), 1500);
    expect(server.stdout).toContain('Listening on port');
    // Nothing but the boot: the connections that found the port made no request.
    expect(server.jsonLines('stdout').filter((l) => l.context === 'HTTP')).toEqual([]);
  }, 90_000);

  it('after SIGTERM, has written the line of every request it answered', async () => {
    const server = await spawn();
    await server.waitUntilHealthy();
    const paths = Array.from({ length: 5 }, (_, i) => `/health?sigterm=${i}`);
    for (const path of paths) expect((await rawRequest(server.baseUrl + path)).status).toBe(200);
    await server.stop(30_000);
    for (const path of paths) expect(requestLines(server, path)).toHaveLength(1);
  }, 90_000);

  it('after SIGKILL, has written every line older than a second', async () => {
    const server = await spawn();
    await server.waitUntilHealthy();
    const paths = Array.from({ length: 5 }, (_, i) => `/health?sigkill=${i}`);
    for (const path of paths) expect((await rawRequest(server.baseUrl + path)).status).toBe(200);
    await sleep(1500);
    await server.kill();
    for (const path of paths) expect(requestLines(server, path)).toHaveLength(1);
  }, 90_000);
});

describe('a warning, on a server whose database is gone', () => {
  let db: ProxiedDatabase;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    db = await startProxiedDatabase();
  });
  afterAll(async () => {
    await server?.kill();
    await db.stop();
  });

  it('is written before the answer that follows it: a SIGKILL right after that answer keeps it', async () => {
    // No cache: the grid's answer has to come from the database.
    server = await ServerProcess.start({ LOG_FORMAT: undefined, GRID_CACHE_MB: '0', ...db.env });
    const posted = await clientPost(server.baseUrl, JSON.stringify(clientBody()));
    expect(posted.status).toBe(200);
    const path = new URL(posted.json<{ url: string }>().url).pathname;
    await db.proxy.stop();
    const res = await rawRequest(`${server.baseUrl}/get${path}`);
    server.child.kill('SIGKILL');
    await server.exited;
    expect(res.status).toBe(503);
    const warnings = server
      .jsonLines('stdout')
      .filter((l) => l.level === 40 && /database unavailable/.test(String(l.msg)));
    expect(warnings).toHaveLength(1);
  }, 90_000);
});

/**
 * Reads a page uncompressed and destroys its socket the moment the last byte arrives: the answer
 * is complete, and the server may see the hang-up before it sees its own last write done.
 */
async function readThenHangUp(port: number, path: string): Promise<number> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\nConnection: keep-alive\r\n\r\n`,
  );
  return new Promise((resolve, reject) => {
    let head = '';
    let bodyBytes = -1;
    let length = 0;
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      if (bodyBytes < 0) {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        length = Number(/content-length: (\d+)/i.exec(head)?.[1]);
        bodyBytes = Buffer.byteLength(head.slice(end + 4), 'latin1');
      } else {
        bodyBytes += chunk.length;
      }
      if (bodyBytes >= length) {
        socket.resetAndDestroy();
        resolve(length);
      }
    });
  });
}

describe('a complete answer whose client hangs up right after the last byte', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await ServerProcess.start({ LOG_FORMAT: undefined });
  }, 90_000);
  afterAll(async () => {
    await server.kill();
  });

  it('is logged at info with its status, never as an error (3 MB page, identity, 40 times)', async () => {
    const posted = await clientPost(server.baseUrl, JSON.stringify(clientBody({}, 160, 160)));
    expect(posted.status).toBe(200);
    const path = new URL(posted.json<{ url: string }>().url).pathname;
    const times = 40;
    for (let i = 0; i < times; i++) {
      expect(await readThenHangUp(port(server), path)).toBeGreaterThan(3_000_000);
    }
    await waitFor(() => requestLines(server, path).length >= times, 10_000);
    const lines = server.jsonLines('stdout');
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
    const logged = requestLines(server, path);
    expect(logged).toHaveLength(times);
    for (const line of logged) expect(line).toMatchObject({ level: 30, status: 200 });
  }, 180_000);
});
