import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { GridsRepository } from '../../src/grid-storage/grids.repository';
import { clientBody } from '../support/grid-factory';
import { clientPostFrom, newClientAddress, rawRequest } from '../support/http';
import { ServerProcess } from '../support/server-process';
import { startTestApp, type TestApp, useTestApp } from '../support/test-app';
import { freshEmbeddedDataDir, testConfig, usingServer } from '../support/test-config';

describe('security headers', () => {
  const t = useTestApp();

  it.each(['/', '/about', '/zzzzzz', '/get/zzzzzz', '/health', '/random'])(
    'are on %s',
    async (path) => {
      const res = await rawRequest(`${t.baseUrl}${path}`);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-powered-by']).toBeUndefined();
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline'; script"); // inline styles only, never scripts
      expect(res.headers['x-request-id']).toMatch(/^[\w-]{8,}$/);
    },
  );

  it('are on the answer to a post, and a request id from the router is echoed', async () => {
    const res = await rawRequest(`${t.baseUrl}/post`, {
      method: 'POST',
      body: JSON.stringify(clientBody()),
      headers: { 'X-Request-Id': 'heroku-router-id-123' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBe('heroku-router-id-123');
  });
});

describe('rate limiting of POST /post', () => {
  let t: TestApp;
  let grids: GridsRepository;
  beforeAll(async () => {
    t = await startTestApp(testConfig({ POST_RATE_LIMIT: '3' }));
    grids = t.app.get(GridsRepository);
  });
  afterAll(() => t.close());

  const postFrom = (address: string) =>
    clientPostFrom(t.baseUrl, address, JSON.stringify(clientBody()));

  it('answers 429 with Retry-After past the limit, per client address, storing nothing', async () => {
    const client = newClientAddress();
    for (let i = 0; i < 3; i++) expect((await postFrom(client)).status).toBe(200);
    const before = await grids.count('public');
    const limited = await postFrom(client);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.json<{ message: string }>().message).toMatch(/at most 3 a minute/);
    expect(limited.json<{ message: string }>().message).toContain('POST_RATE_LIMIT');
    expect(await grids.count('public')).toBe(before);

    // Another client behind the router has its own allowance.
    expect((await postFrom(newClientAddress())).status).toBe(200);
  });

  it('never limits reads', async () => {
    const url = (await postFrom(newClientAddress())).json<{ url: string }>().url;
    const path = new URL(url).pathname;
    for (let i = 0; i < 20; i++) {
      expect((await rawRequest(`${t.baseUrl}/get${path}`)).status).toBe(200);
      expect((await rawRequest(`${t.baseUrl}${path}`)).status).toBe(200);
    }
  });
});

describe('the server process', () => {
  let server: ServerProcess;
  let baseUrl: string;
  let child: ChildProcess;

  beforeAll(async () => {
    server = await ServerProcess.start(usingServer ? {} : { DATA_DIR: freshEmbeddedDataDir() });
    ({ baseUrl, child } = server);
  }, 60_000);

  afterAll(() => server?.kill());

  it('logs one JSON object per line, with the request id it returns, and never a grid body', async () => {
    const marker = 'secret-marker-in-a-code-cell';
    const res = await rawRequest(`${baseUrl}/post`, {
      method: 'POST',
      body: JSON.stringify(clientBody({ code_cells: [marker] })),
    });
    expect(res.status).toBe(200);
    const id = res.headers['x-request-id'] as string;
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Buffered logs reach stdout at exit at the latest: checked again after SIGTERM below.
    expect(server.output).not.toContain(marker);
    expect(id).toBeTruthy();
  });

  it('finishes a request in flight on SIGTERM, then exits 0', async () => {
    const body = Buffer.from(JSON.stringify(clientBody({}, 40, 40)));
    const half = Math.floor(body.length / 2);
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${baseUrl}/post`, {
        method: 'POST',
        headers: { 'Content-Length': body.length },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(body.subarray(0, half));
      // The rest arrives after SIGTERM: the request is in flight while the server shuts down.
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.subarray(half)), 700);
      }, 300);
    });
    const exited = once(child, 'exit');
    const res = await answer;
    expect(res.status).toBe(200);
    const url = (JSON.parse(res.text) as { url: string }).url;
    expect(url).toMatch(/\/\w{6,}$/);
    const [code, signal] = (await exited) as [number | null, string | null];
    expect(signal).toBeNull();
    expect(code).toBe(0);

    // Every line is JSON; the request lines carry method, url, status, ms and the request id.
    const records = server.jsonLines();
    const posts = records.filter((r) => r.method === 'POST' && r.url === '/post');
    expect(posts.length).toBeGreaterThanOrEqual(2);
    for (const r of posts) {
      expect(r).toMatchObject({ status: 200, context: 'HTTP' });
      expect(typeof r.reqId).toBe('string');
      expect(typeof r.ms).toBe('number');
    }
    expect(records.some((r) => String(r.msg).includes('SIGTERM'))).toBe(true);
    expect(server.output).not.toContain('secret-marker-in-a-code-cell');
    expect(server.output).not.toContain('"blocks"');
  }, 30_000);
});

describe('booting in production', () => {
  it('fails without PUBLIC_URL, naming it, before touching the database', async () => {
    const server = await ServerProcess.spawn({
      NODE_ENV: 'production',
      // Nothing listens there: the boot must stop before connecting.
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      DATA_DIR: undefined,
    });
    const { code } = await server.waitForExit(30_000);
    expect(code).toBe(1);
    expect(server.output).toContain('PUBLIC_URL is required when NODE_ENV=production');
  }, 30_000);
});
