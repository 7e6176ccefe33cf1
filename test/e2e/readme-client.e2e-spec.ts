/**
 * The README's "Try it with the real client" snippet, run as written (taken from README.md, so
 * the two cannot drift) by a Python against the app. The client is the stand-in package in
 * test/support/python, laid out as the real ipythonblocks is (the package re-exports its inner
 * module's public names; the addresses are that module's globals) and posting as it does, with
 * `requests` and no Content-Type.
 *
 * Every request the snippet would send anywhere but the app goes to a local recording proxy
 * (HTTP_PROXY), so the test sees where the old snippet's post went without leaving the machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { rawRequest } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const CLIENT_PATH = join(__dirname, '..', 'support', 'python');

/** The snippet the README gave before: it set the constants on the package, which nobody reads. */
const OLD_SNIPPET = `import ipythonblocks
ipythonblocks._POST_URL = 'http://localhost:3000/post'
ipythonblocks._GET_URL_PUBLIC = 'http://localhost:3000/get/{0}'
ipythonblocks._GET_URL_SECRET = 'http://localhost:3000/get/secret/{0}'

from ipythonblocks import BlockGrid
grid = BlockGrid(8, 8, fill=(123, 234, 123))
url = grid.post_to_web()
`;

/** What the test adds after a snippet: what it got, as one JSON line. */
const REPORT = `
import json
print(json.dumps({'url': url, 'remix': [remix.width, remix.height, sorted({b.rgb for b in remix})]}))
`;

/** The first python block of the README's client section. */
function readmeSnippet(): string {
  const section = README.slice(README.indexOf('## Try it with the real client'));
  const match = /```python\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README.md: no python block under "Try it with the real client"');
  return match[1];
}

/** A Python 3 that has `requests` (the client needs it): pyenv's, or Debian's python3-requests. */
function pythonWithRequests(): string {
  const found = ['python3', '/usr/bin/python3'].find(
    (python) => spawnSync(python, ['-c', 'import requests']).status === 0,
  );
  if (!found) {
    throw new Error('No python3 with the requests module: apt-get install python3-requests');
  }
  return found;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe('the README client snippet, run by Python against the app', () => {
  let t: TestApp;
  let proxy: Server;
  let proxyUrl = '';
  /** Absolute URLs the proxy was asked for: requests that did not go to the app. */
  const proxied: string[] = [];
  const python = pythonWithRequests();

  beforeAll(async () => {
    t = await startTestApp();
    proxy = createServer((req, res) => {
      proxied.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(502, { 'Content-Type': 'text/plain' }).end('not on this machine');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => proxy.close(resolve));
  });

  beforeEach(() => {
    proxied.length = 0;
  });

  /**
   * Runs a snippet pointed at the app (its localhost:3000 replaced by the app's origin). Not
   * spawnSync: the app and the proxy answer on this process's event loop.
   */
  function run(snippet: string): Promise<Run> {
    const code = snippet.replaceAll('http://localhost:3000', t.baseUrl);
    const child = spawn(python, ['-c', code], {
      timeout: 30_000,
      env: {
        ...process.env,
        PYTHONPATH: CLIENT_PATH,
        HTTP_PROXY: proxyUrl,
        HTTPS_PROXY: proxyUrl,
        http_proxy: proxyUrl,
        https_proxy: proxyUrl,
        NO_PROXY: '127.0.0.1',
        no_proxy: '127.0.0.1',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  it('posts the grid to the app and reads it back with from_web', async () => {
    const result = await run(readmeSnippet() + REPORT);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const got = JSON.parse(result.stdout) as { url: string; remix: unknown };
    expect(got.url).toMatch(new RegExp(`^${t.baseUrl}/\\w{6,}$`));
    expect(got.remix).toEqual([8, 8, [[123, 234, 123]]]);
    expect(proxied).toEqual([]);
    // The grid is on the app, as posted.
    const stored = await rawRequest(`${t.baseUrl}/get/${got.url.split('/').pop()}`);
    expect(stored.status).toBe(200);
    expect(stored.json<{ width: number; height: number }>()).toMatchObject({ width: 8, height: 8 });
  });

  it('the old snippet (ipythonblocks._POST_URL) would have posted to www.ipythonblocks.org', async () => {
    const result = await run(OLD_SNIPPET);
    expect(proxied).toEqual(['POST http://www.ipythonblocks.org/post']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('502');
  });
});
