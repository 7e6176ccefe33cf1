import { connect } from 'node:net';
import { AnswerCache } from '../../src/grid-pages/answer-cache';
import { GridsRepository } from '../../src/grid-storage/grids.repository';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';
import { testConfig } from '../support/test-config';

/** An HTTP/1.0 request written on a raw socket: no Host header unless the test writes one. */
function http10(
  baseUrl: string,
  head: string,
  body = '',
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(text.slice(9, 12)), text });
    });
    const length = body ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : '';
    socket.write(`${head}\r\n${length}\r\n${body}`);
  });
}

/** The origins a page points at: its canonical link, og:url and og:image. */
function pageOrigins(html: string): string[] {
  const urls = [
    /<link rel="canonical" href="([^"]*)"/.exec(html)?.[1],
    /<meta property="og:url" content="([^"]*)"/.exec(html)?.[1],
    /<meta property="og:image" content="([^"]*)"/.exec(html)?.[1],
  ];
  return urls.map((u) => {
    expect(u).toBeDefined();
    return new URL(u!.replace(/&amp;/g, '&')).origin;
  });
}

describe('origins without PUBLIC_URL (development)', () => {
  let t: TestApp;
  let grids: GridsRepository;
  let cache: AnswerCache;
  let path: string;

  beforeAll(async () => {
    t = await startTestApp();
    grids = t.app.get(GridsRepository);
    cache = t.app.get(AnswerCache);
    const posted = await clientPost(t.baseUrl, JSON.stringify(clientBody()));
    path = new URL(posted.json<{ url: string }>().url).pathname;
  });
  afterAll(() => t.close());

  it('answers a post with http when X-Forwarded-Proto is neither http nor https', async () => {
    const res = await rawRequest(`${t.baseUrl}/post`, {
      method: 'POST',
      body: JSON.stringify(clientBody()),
      headers: { 'X-Forwarded-Proto': 'javascript', 'X-Forwarded-Host': 'evil.example' },
    });
    expect(res.status).toBe(200);
    expect(res.json<{ url: string }>().url).toMatch(/^http:\/\/evil\.example\/\w{6,}$/);
  });

  it.each([
    ['a host with markup', { 'X-Forwarded-Host': 'evil.example"><script>' }],
    ['a host with a path', { 'X-Forwarded-Host': 'evil.example/x' }],
    ['a host with userinfo', { 'X-Forwarded-Host': 'user@evil.example' }],
    ['a port out of range', { Host: 'localhost:99999' }],
  ])('refuses a post naming %s with a 400, storing nothing', async (_name, headers) => {
    const before = await grids.count('public');
    const res = await rawRequest(`${t.baseUrl}/post`, {
      method: 'POST',
      body: JSON.stringify(clientBody()),
      headers,
    });
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toBe('Missing or invalid Host header');
    expect(await grids.count('public')).toBe(before);
  });

  it('refuses an HTTP/1.0 post without a Host with a 400, never an undefined host', async () => {
    const before = await grids.count('public');
    const res = await http10(t.baseUrl, 'POST /post HTTP/1.0', JSON.stringify(clientBody()));
    expect(res.status).toBe(400);
    expect(res.text).toContain('Missing or invalid Host header');
    expect(res.text).not.toContain('undefined');
    expect(await grids.count('public')).toBe(before);
  });

  it('points a page at the address it was reached on when the Host is missing', async () => {
    const res = await http10(t.baseUrl, `GET ${path} HTTP/1.0`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('undefined');
    expect(pageOrigins(res.text)).toEqual([t.baseUrl, t.baseUrl, t.baseUrl]);
  });

  it.each([
    ['javascript: protocol', { 'X-Forwarded-Proto': 'javascript' }, null],
    ['markup in the host', { 'X-Forwarded-Host': 'evil.example"><x' }, null],
    [
      'a valid forwarded origin',
      { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'a.example' },
      'https://a.example',
    ],
  ])('links a page only to a valid origin: %s', async (_name, headers, expected) => {
    const res = await rawRequest(`${t.baseUrl}${path}`, { headers });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('javascript:');
    expect(res.text).not.toContain('<x');
    // null: the address the request reached, http://127.0.0.1:<port>.
    const origin = expected ?? t.baseUrl;
    expect(pageOrigins(res.text)).toEqual([origin, origin, origin]);
  });

  it('caches pages for a handful of origins, whatever the number of Host headers', async () => {
    await rawRequest(`${t.baseUrl}${path}`);
    const before = cache.size;
    for (let i = 0; i < 40; i++) {
      const res = await rawRequest(`${t.baseUrl}${path}`, { headers: { Host: `h${i}.example` } });
      expect(res.status).toBe(200);
      expect(pageOrigins(res.text)).toEqual(Array(3).fill(`http://h${i}.example`));
    }
    expect(cache.size - before).toBeLessThanOrEqual(4);
  });

  it('never caches a page rendered for a missing Host', async () => {
    const posted = await clientPost(t.baseUrl, JSON.stringify(clientBody()));
    const fresh = new URL(posted.json<{ url: string }>().url).pathname;
    const before = cache.size;
    for (let i = 0; i < 3; i++) {
      expect((await http10(t.baseUrl, `GET ${fresh} HTTP/1.0`)).status).toBe(200);
    }
    expect(cache.size).toBe(before);
  });
});

describe('origins with PUBLIC_URL', () => {
  let t: TestApp;
  let cache: AnswerCache;

  beforeAll(async () => {
    t = await startTestApp(testConfig({ PUBLIC_URL: 'https://www.ipythonblocks.org/' }));
    cache = t.app.get(AnswerCache);
  });
  afterAll(() => t.close());

  it('uses PUBLIC_URL whatever the request says, and caches one page per grid', async () => {
    const forged = { 'X-Forwarded-Proto': 'javascript', 'X-Forwarded-Host': 'evil.example' };
    const posted = await rawRequest(`${t.baseUrl}/post`, {
      method: 'POST',
      body: JSON.stringify(clientBody()),
      headers: forged,
    });
    const { url } = posted.json<{ url: string }>();
    expect(url).toMatch(/^https:\/\/www\.ipythonblocks\.org\/\w{6,}$/);
    const path = new URL(url).pathname;

    const noHost = await http10(t.baseUrl, 'POST /post HTTP/1.0', JSON.stringify(clientBody()));
    expect(noHost.status).toBe(200);
    expect(noHost.text).toContain('"url":"https://www.ipythonblocks.org/');

    const before = cache.size;
    const variants: Record<string, string>[] = [forged, { Host: 'a.example' }, { Host: 'b.x' }, {}];
    for (const headers of variants) {
      const page = await rawRequest(`${t.baseUrl}${path}`, { headers });
      expect(pageOrigins(page.text)).toEqual(Array(3).fill('https://www.ipythonblocks.org'));
    }
    expect(cache.size - before).toBe(1);
  });
});
