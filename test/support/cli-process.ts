import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When the process had exited (Date.now()). */
  exitedAt: number;
}

const ROOT = join(__dirname, '..', '..');

/** The built CLI (`node dist/cli.js`, as production and the README run it) as its own process. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const cli = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) {
    throw new Error(`${cli} is missing: run \`npm run build\` (npm test builds before this ring)`);
  }
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, exitedAt: Date.now() }));
  });
}
