import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { rawRequest } from './http';
import { freshEmbeddedDataDir, RATE_LIMIT_OUT_OF_REACH, usingServer } from './test-config';
import { serverDatabaseUrl } from './test-database';

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const ROOT = join(__dirname, '..', '..');

/** The Procfile's `web:` command, as `node`'s arguments: how production starts the server. */
export function procfileWebArgs(): string[] {
  const line = readFileSync(join(ROOT, 'Procfile'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('web:'));
  if (!line) throw new Error('Procfile has no web: line');
  const [command, ...args] = line.slice('web:'.length).trim().split(/\s+/);
  if (command !== 'node') throw new Error(`Procfile's web: line runs ${command}, not node`);
  return args;
}

/**
 * The built server (dist/, made once per run by test/rings.ts), started as the Procfile starts
 * it: the heap sizes matter to what a whole process shows, and a spawn costs no TypeScript
 * compile.
 */
function builtServer(): string[] {
  const args = procfileWebArgs().map((arg) => (arg.startsWith('--') ? arg : join(ROOT, arg)));
  const main = args[args.length - 1];
  if (!existsSync(main)) {
    throw new Error(`${main} is missing: run \`npm run build\` (npm test builds before this ring)`);
  }
  return args;
}

/** The environment a spawned server runs with: the test database, JSON logs, a free port. */
export function serverEnv(port: number, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    PORT: String(port),
    LOG_FORMAT: 'json',
    HASHIDS_PUBLIC_SALT: 'public',
    HASHIDS_SECRET_SALT: 'secret',
    POST_RATE_LIMIT: RATE_LIMIT_OUT_OF_REACH,
  };
  if (usingServer) base.DATABASE_URL = serverDatabaseUrl();
  else if (!('DATA_DIR' in env)) base.DATA_DIR = freshEmbeddedDataDir();
  return { ...base, ...env };
}

export interface BuildOptions {
  /** The port to listen on (default: a free one). */
  port?: number;
  /**
   * A file the server writes its output to, instead of a pipe to this process: writing its log
   * costs it what it costs in production, and reading it costs this process nothing.
   */
  logFile?: string;
}

/** The real server (the build of `src/main.ts`), as its own process, with its output collected. */
export class ServerProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** Collected from the pipes (empty with a log file: see `output`). */
  stdout = '';
  stderr = '';
  private piped = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    port: number,
    env: NodeJS.ProcessEnv,
    args: string[],
    private readonly logFile?: string,
    uid?: number,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    const log = logFile === undefined ? 'pipe' : openSync(logFile, 'w');
    this.child = spawn(process.execPath, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', log, log],
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    if (typeof log === 'number') closeSync(log);
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString('utf8');
      this.piped += chunk.toString('utf8');
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
      this.piped += chunk.toString('utf8');
    });
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
  }

  /**
   * Spawns the server; `env` is added to serverEnv's (DATA_DIR, DATABASE_URL: undefined...).
   * `uid`: run as that user (and group of the same number), which root's tests need to meet
   * file modes.
   */
  static async spawn(
    env: NodeJS.ProcessEnv = {},
    { uid }: { uid?: number } = {},
  ): Promise<ServerProcess> {
    const port = await freePort();
    return new ServerProcess(port, serverEnv(port, env), builtServer(), undefined, uid);
  }

  /**
   * `node <args>` (the production build, say) with exactly `env` (plus PATH and PORT), once
   * /health answers 200: the benchmarks run the server as production does.
   */
  static async startBuild(
    args: string[],
    env: NodeJS.ProcessEnv,
    { port, logFile }: BuildOptions = {},
  ): Promise<ServerProcess> {
    port ??= await freePort();
    const all = { PATH: process.env.PATH, ...env, PORT: String(port) };
    const server = new ServerProcess(port, all, args, logFile);
    try {
      await server.waitUntilHealthy();
    } catch (err) {
      await server.kill();
      throw err;
    }
    return server;
  }

  /** stdout and stderr, interleaved as they arrived (so far). */
  get output(): string {
    return this.logFile === undefined ? this.piped : readFileSync(this.logFile, 'utf8');
  }

  /** Spawns the server and waits until /health answers 200. */
  static async start(env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<ServerProcess> {
    const server = await ServerProcess.spawn(env);
    await server.waitUntilHealthy(timeoutMs);
    return server;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitUntilHealthy(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`server exited before it was healthy:\n${this.output}`);
      const res = await rawRequest(`${this.baseUrl}/health`).catch(() => null);
      if (res?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`server not healthy after ${timeoutMs} ms:\n${this.output}`);
  }

  /** Resolves with the exit, or rejects when the process is still running after `timeoutMs`. */
  async waitForExit(
    timeoutMs: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`still running after ${timeoutMs} ms:\n${this.output}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every line it wrote, parsed: fails on a line that is not one JSON object. */
  jsonLines(stream: 'stdout' | 'stderr' | 'output' = 'output'): Record<string, unknown>[] {
    return this[stream]
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`not a JSON line: ${JSON.stringify(line)}\nin:\n${this[stream]}`);
        }
      });
  }

  /** SIGKILL if still running (afterAll), and wait for it to be gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (the graceful shutdown), then SIGKILL if it is still running after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    await this.waitForExit(graceMs).catch(() => this.kill());
  }
}
