import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { rawRequest } from './http';
import { freshEmbeddedDataDir, usingServer } from './test-config';

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGKILL unless it has exited already. */
  kill(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

/**
 * The real server (`src/main.ts` through ts-node) in a process of its own, on the test database:
 * for what only a whole process shows (signals, event-loop stalls seen from outside, memory).
 */
export async function startServerProcess(env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const base: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    LOG_FORMAT: 'json',
    REQUEST_LOG: 'false',
    HASHIDS_PUBLIC_SALT: 'public',
    HASHIDS_SECRET_SALT: 'secret',
  };
  if (usingServer) base.DATABASE_URL = process.env.TEST_DATABASE_URL;
  else base.DATA_DIR = freshEmbeddedDataDir();
  const main = join(ROOT, 'src', 'main.ts');
  return spawnServer(['-r', 'ts-node/register/transpile-only', main], { ...base, ...env });
}

/**
 * `node <args>` as a server on a free port (PORT is set), answering /health, with exactly the
 * environment given (and PATH): the benchmarks start the production build this way.
 */
export async function spawnServer(args: string[], env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) break;
    const up = await rawRequest(`${baseUrl}/health`).catch(() => null);
    if (up?.status === 200) return { child, baseUrl, output: () => output, kill };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await kill();
  throw new Error(`server did not start:\n${output}`);
}
