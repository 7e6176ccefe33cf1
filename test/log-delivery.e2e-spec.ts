import { once } from 'node:events';
import { connect } from 'node:net';
import { startProxiedDatabase, type ProxiedDatabase } from './support/proxied-database';
import { clientBody } from './support/grid-factory';
import { clientPost, rawRequest } from './support/http';
import { ServerProcess } from './support/server-process';

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
