import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { serverEnv, ServerProcess, freePort } from '../support/server-process';
import { isAlive } from '../../src/common/process-alive';
import { DataDirLock } from '../../src/database/data-dir-lock';
import { emptyDatabase } from '../support/empty-database';
import { freshEmbeddedDataDir, usingServer } from '../support/test-config';

const ROOT = join(__dirname, '..', '..');

/**
 * What `nest start --watch` (npm run start:dev) compiles and runs: `nest build`'s program alone,
 * nothing that `npm run build` adds after it. Built into a folder of this test's own, beside
 * links to what the build reads at run time (views, public, node_modules).
 */
async function nestBuild(): Promise<string> {
  // Its own package.json holds the project's start script, for `npm start` to run there.
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const home = mkdtempSync(join(tmpdir(), 'ipb-nest-build-'));
  for (const name of ['views', 'public', 'node_modules']) {
    symlinkSync(join(ROOT, name), join(home, name));
  }
  writeFileSync(
    join(home, 'package.json'),
    JSON.stringify({ name: 'ipb-build', private: true, scripts: { start: scripts.start } }),
  );
  const tsconfig = join(home, 'tsconfig.build.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.build.json'),
      compilerOptions: { outDir: join(home, 'dist') },
    }),
  );
  const nest = join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
  // The CLI takes the tsconfig's path relative to the project.
  await promisify(execFile)(process.execPath, [nest, 'build', '-p', relative(ROOT, tsconfig)], {
    cwd: ROOT,
  });
  return join(home, 'dist');
}

describe('the build that npm run start:dev makes (nest build alone), and npm start', () => {
  let dist: string;
  beforeAll(async () => {
    dist = await nestBuild();
  }, 120_000);

  it('emits the migrations with the app', () => {
    expect(readdirSync(join(dist, 'migrations')).filter((f) => f.endsWith('.js'))).not.toEqual([]);
  });

  it('serves grids from an empty database: posts, /get, pages and /health', async () => {
    const database = await emptyDatabase();
    let server: ServerProcess | undefined;
    try {
      const port = await freePort();
      // As a developer runs it: no NODE_ENV, no salts.
      const env = serverEnv(port, {
        NODE_ENV: undefined,
        HASHIDS_PUBLIC_SALT: undefined,
        HASHIDS_SECRET_SALT: undefined,
        ...database.env,
      });
      if (usingServer) {
        // A server database is migrated by `npm run migration:run`, from the same build.
        await promisify(execFile)(process.execPath, [join(dist, 'database', 'migrate.js')], {
          cwd: ROOT,
          env,
        });
      }
      server = await ServerProcess.startBuild([join(dist, 'main.js')], env, { port });
      const posted = await clientPost(server.baseUrl, JSON.stringify(clientBody()));
      expect(posted.status).toBe(200);
      const path = new URL(posted.json<{ url: string }>().url).pathname;
      expect((await rawRequest(`${server.baseUrl}/get${path}`)).status).toBe(200);
      expect((await rawRequest(`${server.baseUrl}${path}`)).status).toBe(200);
      expect((await rawRequest(`${server.baseUrl}/recent`)).status).toBe(200);
    } finally {
      await server?.stop(10_000);
      await database.drop();
    }
  }, 120_000);

  it('npm start: when npm gets SIGTERM, the server stops within seconds and frees its data folder', async () => {
    const port = await freePort();
    const dataDir = freshEmbeddedDataDir();
    const env = serverEnv(port, { DATA_DIR: dataDir });
    const npm = spawn('npm', ['start'], { cwd: join(dist, '..'), env, stdio: 'pipe' });
    let output = '';
    let serverPid: number | undefined;
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      const deadline = Date.now() + 60_000;
      while (
        (await rawRequest(`http://127.0.0.1:${port}/health`).catch(() => null))?.status !== 200
      ) {
        if (Date.now() > deadline || npm.exitCode !== null)
          throw new Error(`not healthy:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // By its command line, not /proc/<pid>/comm: Node 24 names its main thread MainThread.
      serverPid = descendants(npm.pid!).find((pid) => {
        const [program, ...args] = commandLine(pid) ?? [];
        return basename(program ?? '') === 'node' && args.some((a) => a.endsWith('dist/main.js'));
      });
      expect(serverPid).toBeDefined();

      npm.kill('SIGTERM');
      const started = Date.now();
      while (isAlive(serverPid!) && Date.now() - started < 5000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(isAlive(serverPid!)).toBe(false);
      if (!usingServer) {
        const lock = await DataDirLock.acquire(dataDir, () => undefined);
        await lock.release();
      }
    } finally {
      npm.kill('SIGKILL');
      if (serverPid !== undefined && isAlive(serverPid)) process.kill(serverPid, 'SIGKILL');
    }
  }, 120_000);
});

function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

/** Every process under `pid` (npm's shell, and the shell's node), from Linux's /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  for (let frontier = [pid]; frontier.length > 0;) {
    frontier = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([p]) => p);
    found.push(...frontier);
  }
  return found;
}
