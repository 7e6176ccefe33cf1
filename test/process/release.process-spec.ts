import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, Server, Socket } from 'node:net';
import { join } from 'node:path';
import { emptyDatabase, EmptyDatabase } from '../support/empty-database';
import { ServerProcess } from '../support/server-process';
import { usingServer } from '../support/test-config';

const ROOT = join(__dirname, '..', '..');

interface Run {
  code: number | null;
  ms: number;
  lines: Record<string, unknown>[];
  output: string;
}

/** The Procfile's `release:` command, as Heroku runs it: `npm run migration:run`. */
async function release(env: NodeJS.ProcessEnv): Promise<Run> {
  const started = performance.now();
  const child = spawn('npm', ['run', '--silent', 'migration:run'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  const lines = output
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { notJson: line };
      }
    });
  return { code, ms: performance.now() - started, lines, output };
}

const salts = { HASHIDS_PUBLIC_SALT: 'p', HASHIDS_SECRET_SALT: 's' };

(usingServer ? describe : describe.skip)('the release phase (npm run migration:run)', () => {
  let database: EmptyDatabase;
  beforeAll(async () => {
    database = await emptyDatabase();
  });
  afterAll(() => database?.drop());

  it('says which migrations it applied, and then that none were pending', async () => {
    const env = { ...database.env, ...salts, DATABASE_SSL: 'false' };
    const first = await release(env);
    expect(first.code).toBe(0);
    const applied = first.lines.find((l) => /^Applied \d+ migrations?: /.test(String(l.msg)));
    expect(applied).toBeDefined();
    expect(String(applied!.msg)).toMatch(/CreateGridTables\d+/);
    expect(String(applied!.msg)).toMatch(/CreateRateLimitCounters\d+/);

    const second = await release(env);
    expect(second.code).toBe(0);
    const none = second.lines.filter((l) => String(l.msg).startsWith('No migrations pending'));
    expect(none).toHaveLength(1);
    expect(second.lines.filter((l) => Number(l.level) >= 40)).toEqual([]);
  }, 60_000);
});

/**
 * Stands for a Postgres without TLS: it answers a client's SSLRequest with 'N', as Postgres
 * does with `ssl = off`. A client that insists on TLS gives up there.
 */
async function postgresWithoutTls(): Promise<{ server: Server; url: string }> {
  const server = createServer((socket: Socket) => {
    socket.once('data', () => socket.write('N'));
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { server, url: `postgres://ipb@127.0.0.1:${port}/ipb` };
}

describe('production against a Postgres without TLS', () => {
  let plain: { server: Server; url: string };
  beforeAll(async () => {
    plain = await postgresWithoutTls();
  });
  afterAll(() => plain?.server.close());

  const production = () => ({
    ...salts,
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://blocks.example',
    DATABASE_URL: plain.url,
  });

  /** One fatal line, no stack, naming the fix. */
  function expectTheOneLine(lines: Record<string, unknown>[]): void {
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 60 });
    expect(lines[0]).not.toHaveProperty('err');
    expect(String(lines[0].msg)).toContain('DATABASE_SSL=false');
    expect(String(lines[0].msg)).toContain('127.0.0.1');
  }

  it('the release exits within 2 s with one line naming DATABASE_SSL=false', async () => {
    const run = await release(production());
    expect(run.code).not.toBe(0);
    expectTheOneLine(run.lines);
    // npm's own start-up is most of it.
    expect(run.ms).toBeLessThan(2000 + 1500);
  }, 30_000);

  it('the web process exits within 2 s with one line naming DATABASE_SSL=false', async () => {
    const server = await ServerProcess.spawn(production());
    try {
      const started = performance.now();
      const { code } = await server.waitForExit(10_000);
      expect(code).not.toBe(0);
      expect(performance.now() - started).toBeLessThan(2000 + 1000);
      expectTheOneLine(server.jsonLines());
    } finally {
      await server.kill();
    }
  }, 30_000);
});
