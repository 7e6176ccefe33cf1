import { once } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServerProcess } from '../support/server-process';

/**
 * A start that cannot succeed ends at once, non-zero, with one line that says what is wrong
 * and what to change: no stack trace, no hang.
 */
describe('a start that cannot succeed', () => {
  const servers: ServerProcess[] = [];
  const spawn = async (env: NodeJS.ProcessEnv, options: { uid?: number } = {}) => {
    const server = await ServerProcess.spawn(env, options);
    servers.push(server);
    return server;
  };
  afterAll(async () => {
    for (const server of servers) await server.kill();
  });

  /** Exits non-zero within `ms` having written exactly one line, a fatal one without a stack. */
  async function theOneLine(server: ServerProcess, ms = 45_000): Promise<string> {
    const { code } = await server.waitForExit(ms);
    expect(code).not.toBe(0);
    expect(server.output).not.toContain('\u001b[');
    const lines = server.jsonLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 60 });
    expect(lines[0]).not.toHaveProperty('err');
    return String(lines[0].msg);
  }

  describe('on a port another process listens on', () => {
    let taken: Server;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      // Listening as the app does: every address, IPv6 and IPv4.
      taken = createServer().listen(port);
      await once(taken, 'listening');
    });
    afterAll(() => taken.close());

    it('names the port and PORT, before opening the database', async () => {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'ipb-port-')), 'data');
      const server = await spawn({ PORT: String(port), DATA_DIR: dataDir });
      const line = await theOneLine(server);
      expect(line).toContain(`port ${port} is already in use`);
      expect(line).toContain('set PORT');
      // The embedded database was never started: its folder was never made.
      expect(existsSync(dataDir)).toBe(false);
    });
  });

  describe('with a DATA_DIR it cannot use (embedded database)', () => {
    const embedded = { DATABASE_URL: undefined };

    it('that it may not write (EACCES), names DATA_DIR and the path', async () => {
      // A folder only root may enter, and a server that runs as nobody (root ignores modes).
      const dataDir = join(mkdtempSync(join(tmpdir(), 'ipb-private-')), 'data');
      const server = await spawn({ ...embedded, DATA_DIR: dataDir }, { uid: 65534 });
      const line = await theOneLine(server);
      expect(line).toContain(`DATA_DIR=${dataDir}`);
      expect(line).toMatch(/permission denied/i);
    });

    it('under a file (ENOTDIR), names DATA_DIR and the path', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'ipb-file-')), 'file');
      writeFileSync(file, 'not a folder');
      const dataDir = join(file, 'data');
      const line = await theOneLine(await spawn({ ...embedded, DATA_DIR: dataDir }));
      expect(line).toContain(`DATA_DIR=${dataDir}`);
      expect(line).toMatch(/not a folder/i);
    });

    it('in /proc, exits at once instead of spinning', async () => {
      const line = await theOneLine(await spawn({ ...embedded, DATA_DIR: '/proc/x' }));
      expect(line).toContain('DATA_DIR=/proc/x');
    });
  });

  it('with PORT=abc, says what PORT must be and what it got, once', async () => {
    const line = await theOneLine(await spawn({ PORT: 'abc' }));
    expect(line).toBe(
      'Invalid environment configuration: PORT must be an integer from 0 to 65535 (got "abc")',
    );
  });
});
