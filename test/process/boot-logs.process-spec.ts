import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataDirLock } from '../../src/database/data-dir-lock';
import { ServerProcess, freePort, serverEnv } from '../support/server-process';
import { freshEmbeddedDataDir, usingServer } from '../support/test-config';

/** Every line on stdout and on stderr is one JSON object, and nothing is coloured. */
function expectOnlyJsonLines(server: ServerProcess): Record<string, unknown>[] {
  expect(server.output).not.toContain('\u001b[');
  server.jsonLines('stderr');
  return server.jsonLines('stdout');
}

/** A boot that fails is logged the way a running app logs: in production, JSON lines. */
describe('a server that cannot start', () => {
  const servers: ServerProcess[] = [];
  const spawn = async (env: NodeJS.ProcessEnv) => {
    const server = await ServerProcess.spawn(env);
    servers.push(server);
    return server;
  };
  afterAll(async () => {
    for (const server of servers) await server.kill();
  });

  it('with its database down (production), logs the retries and the failure as JSON lines, and exits non-zero', async () => {
    const server = await spawn({
      NODE_ENV: 'production',
      LOG_FORMAT: undefined,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`,
      DATABASE_SSL: 'false',
      PUBLIC_URL: 'http://www.example.org',
      DATA_DIR: undefined,
    });
    const { code } = await server.waitForExit(60_000);
    expect(code).not.toBe(0);
    const lines = expectOnlyJsonLines(server);
    expect(lines.some((l) => /Unable to connect to the database/.test(String(l.msg)))).toBe(true);
    expect(lines.at(-1)).toMatchObject({ level: 60 });
    expect(String(lines.at(-1)!.msg)).toMatch(/ECONNREFUSED/);
  }, 90_000);

  it('with its data folder locked, logs one JSON line naming the folder and its owner, and exits non-zero', async () => {
    const dataDir = freshEmbeddedDataDir();
    const lock = await DataDirLock.acquire(dataDir, () => undefined);
    try {
      const server = await spawn({ DATABASE_URL: undefined, DATA_DIR: dataDir });
      const { code } = await server.waitForExit(60_000);
      expect(code).not.toBe(0);
      const lines = expectOnlyJsonLines(server);
      const refusal = lines.filter((l) => String(l.msg).includes(dataDir));
      expect(refusal).toHaveLength(1);
      expect(refusal[0].msg).toContain(`already in use by process ${process.pid}`);
    } finally {
      await lock.release();
    }
  }, 90_000);

  it('with an invalid environment (production), logs one JSON line naming the variable, and exits non-zero', async () => {
    const server = await spawn({
      NODE_ENV: 'production',
      LOG_FORMAT: undefined,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused',
      PORT: 'eighty',
    });
    const { code } = await server.waitForExit(60_000);
    expect(code).not.toBe(0);
    const lines = expectOnlyJsonLines(server);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 60 });
    expect(lines[0].msg).toMatch(/PORT/);
  }, 90_000);
});

/** What a start writes to a log that is not a terminal: the few lines that say something. */
describe('a server that starts, its output piped', () => {
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop(10_000);
  });
  const start = async (env: NodeJS.ProcessEnv) => {
    const server = await ServerProcess.start({ LOG_FORMAT: undefined, ...env });
    servers.push(server);
    return server;
  };
  const contexts = (lines: Record<string, unknown>[]) => new Set(lines.map((l) => l.context));

  it('writes plain JSON lines (the salt warning too), without Nest’s module and route lines', async () => {
    const server = await start({ HASHIDS_PUBLIC_SALT: undefined, HASHIDS_SECRET_SALT: undefined });
    await server.stop(10_000);
    const lines = expectOnlyJsonLines(server);
    expect(lines.some((l) => l.level === 40 && /HASHIDS_PUBLIC_SALT/.test(String(l.msg)))).toBe(
      true,
    );
    expect(lines.some((l) => String(l.msg).startsWith('Listening on port'))).toBe(true);
    for (const chatter of ['InstanceLoader', 'RoutesResolver', 'RouterExplorer']) {
      expect(contexts(lines)).not.toContain(chatter);
    }
    expect(lines.length).toBeLessThan(12);
  });

  it('with LOG_LEVEL=debug, lists the routes', async () => {
    const server = await start({ LOG_LEVEL: 'debug' });
    await server.stop(10_000);
    const lines = expectOnlyJsonLines(server);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 20,
        context: 'RouterExplorer',
        msg: 'Mapped {/health, GET} route',
      }),
    );
  });
});

describe('npm run migration:run (the release phase), its output piped', () => {
  (usingServer ? it : it.skip)(
    'writes JSON lines without colour codes',
    async () => {
      const root = join(__dirname, '..', '..');
      const env = serverEnv(0, { HASHIDS_PUBLIC_SALT: undefined, HASHIDS_SECRET_SALT: undefined });
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [join(root, 'dist', 'database', 'migrate.js')],
        { cwd: root, env: { ...env, LOG_FORMAT: undefined } },
      );
      expect(stdout + stderr).not.toContain('\u001b[');
      const logLines = stdout.split('\n').filter((l) => l.startsWith('{'));
      expect(logLines.some((l) => l.includes('HASHIDS_PUBLIC_SALT'))).toBe(true);
      expect(logLines.some((l) => l.includes('No migrations pending'))).toBe(true);
    },
    60_000,
  );
});
