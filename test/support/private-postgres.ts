import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { buildDataSourceOptions } from '../../src/database/database-options';
import { freePort } from './server-process';

const BIN = '/usr/lib/postgresql/15/bin';
const POSTGRES_USER = 'postgres';

/**
 * A Postgres cluster of the test's own, in a folder it chooses (a tmpfs it can fill), on a free
 * port, migrated. Postgres refuses to run as root: it runs as the `postgres` user.
 */
export class PrivatePostgres {
  private constructor(
    private readonly dataDir: string,
    readonly url: string,
  ) {}

  /** `settings`: more of Postgres' own (`max_connections: '8'`), for the server's command line. */
  static async start(
    folder: string,
    settings: Record<string, string> = {},
  ): Promise<PrivatePostgres> {
    const dataDir = join(folder, 'pgdata');
    mkdirSync(folder, { recursive: true });
    const { uid, gid } = userIds(POSTGRES_USER);
    chownSync(folder, uid, gid);
    const port = await freePort();
    asPostgres(`${BIN}/initdb`, ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    asPostgres(`${BIN}/pg_ctl`, [
      'start',
      '-D',
      dataDir,
      '-w',
      '-l',
      join(folder, 'postgres.log'),
      '-o',
      `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off` +
        Object.entries(settings)
          .map(([name, value]) => ` -c ${name}=${value}`)
          .join(''),
    ]);
    const server = new PrivatePostgres(dataDir, `postgres://postgres@127.0.0.1:${port}/postgres`);
    const config = AppConfig.fromEnv({
      NODE_ENV: 'test',
      DATABASE_URL: server.url,
      HASHIDS_PUBLIC_SALT: 'public',
      HASHIDS_SECRET_SALT: 'secret',
    });
    const dataSource = new DataSource({
      ...buildDataSourceOptions(config, { url: server.url, embedded: false }),
      logging: ['error'],
    });
    await dataSource.initialize();
    await dataSource.runMigrations();
    await dataSource.destroy();
    return server;
  }

  stop(): void {
    asPostgres(`${BIN}/pg_ctl`, ['stop', '-D', this.dataDir, '-m', 'immediate', '-w']);
  }
}

function asPostgres(command: string, args: string[]): void {
  execFileSync('runuser', ['-u', POSTGRES_USER, '--', command, ...args], { stdio: 'pipe' });
}

function userIds(user: string): { uid: number; gid: number } {
  const [uid, gid] = ['-u', '-g'].map((flag) =>
    Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim()),
  );
  return { uid, gid };
}
