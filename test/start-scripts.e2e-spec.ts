import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { clientBody } from './support/grid-factory';
import { clientPost, rawRequest } from './support/http';
import { serverEnv, ServerProcess, freePort } from './support/server-process';
import { emptyDatabase } from './support/empty-database';
import { usingServer } from './support/test-config';

const ROOT = join(__dirname, '..');

/**
 * What `nest start --watch` (npm run start:dev) compiles and runs: `nest build`'s program alone,
 * nothing that `npm run build` adds after it. Built into a folder of this test's own, beside
 * links to what the build reads at run time (views, public, node_modules).
 */
async function nestBuild(): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), 'ipb-nest-build-'));
  for (const name of ['views', 'public', 'node_modules']) {
    symlinkSync(join(ROOT, name), join(home, name));
  }
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

describe('development mode (npm run start:dev builds with nest build alone)', () => {
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
        await promisify(execFile)(
          process.execPath,
          [
            join(ROOT, 'node_modules', 'typeorm', 'cli.js'),
            'migration:run',
            '-d',
            join(dist, 'database', 'data-source.js'),
          ],
          { cwd: ROOT, env },
        );
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
});
