import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-process';

const PGBOUNCER = '/usr/sbin/pgbouncer';
/** PgBouncer refuses to run as root. */
const RUN_AS = 'postgres';

export type PoolMode = 'transaction' | 'session';

export interface PgBouncerOptions {
  /** Server connections per database and user (PgBouncer's default_pool_size). */
  poolSize?: number;
  /** Client connections it accepts in all (max_client_conn). */
  maxClients?: number;
}

/**
 * A PgBouncer of the test's own in front of `target` (a postgres:// URL), on a free port, its
 * config and log in a folder of the test run. Heroku's server-side pooling and the PgBouncer
 * buildpack both run it in transaction mode. Not installed is a failure, not a skip: CI installs
 * it (.ci/run), and a missing one must not pass for "poolers work".
 */
export class PgBouncer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly folder: string,
    /** The target's URL with the pooler's host and port. */
    readonly url: string,
  ) {}

  static async start(
    target: string,
    mode: PoolMode,
    { poolSize = 5, maxClients = 100 }: PgBouncerOptions = {},
  ): Promise<PgBouncer> {
    if (!existsSync(PGBOUNCER)) {
      throw new Error(
        `${PGBOUNCER} is not installed (apt-get install pgbouncer): the pooler tests need it`,
      );
    }
    const upstream = new URL(target);
    const folder = mkdtempSync(join(tmpdir(), 'ipb-pgbouncer-'));
    const uid = Number(execFileSync('id', ['-u', RUN_AS], { encoding: 'utf8' }).trim());
    chownSync(folder, uid, -1);
    const port = await freePort();
    const ini = join(folder, 'pgbouncer.ini');
    const user = decodeURIComponent(upstream.username) || 'postgres';
    writeFileSync(join(folder, 'users.txt'), `"${user}" ""\n`);
    writeFileSync(
      ini,
      [
        '[databases]',
        `* = host=${upstream.hostname} port=${upstream.port || 5432}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${join(folder, 'users.txt')}`,
        `pool_mode = ${mode}`,
        `default_pool_size = ${poolSize}`,
        `max_client_conn = ${maxClients}`,
        'ignore_startup_parameters = extra_float_digits',
        `logfile = ${join(folder, 'pgbouncer.log')}`,
        '',
      ].join('\n'),
    );
    const child = spawn('runuser', ['-u', RUN_AS, '--', PGBOUNCER, ini], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const url = new URL(target);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const bouncer = new PgBouncer(child, folder, url.toString());
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await bouncer.stop();
        throw new Error(`pgbouncer did not start: ${stderr}\n${bouncer.log()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return bouncer;
  }

  log(): string {
    const file = join(this.folder, 'pgbouncer.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    // runuser passes SIGTERM on to pgbouncer, which closes its connections and exits.
    this.child.kill('SIGTERM');
    await once(this.child, 'exit');
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
