/**
 * The playground over HTTP: its pages and what they open with, 404 and 410 as a grid's own
 * page, the policy each route gets, the files the build made (Pyodide above all) as browsers
 * are served them, and the links to it. Needs `npm run build` (the rings run it when stale):
 * the page names the bundles of dist/client/manifest.json.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { AssetManifest } from '../../src/playground/asset-manifest';
import { MANIFEST_FILE } from '../../src/playground/asset-manifest';
import { PYODIDE_FILES } from '../../src/playground/build-assets';
import { STARTER_PROGRAM } from '../../src/playground/playground-source';
import { GridIds } from '../../src/grid-storage/grid-ids';
import { HiddenGridsRepository } from '../../src/grid-storage/hidden-grids.repository';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest, type RawResponse } from '../support/http';
import { useTestApp } from '../support/test-app';

const PYODIDE_PACKAGE = join(__dirname, '..', '..', 'node_modules', 'pyodide');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** What a textarea's text is once the browser has read the page: the template escapes it. */
function textareaText(html: string): string {
  const match = /<textarea id="play-code"[^>]*>\n([\s\S]*?)<\/textarea>/.exec(html);
  if (!match) throw new Error('no code editor on the page');
  return match[1]
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&#x3D;', '=')
    .replaceAll('&#x60;', '`')
    .replaceAll('&amp;', '&');
}

describe('the playground', () => {
  const t = useTestApp();
  const manifest = (): AssetManifest =>
    JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as AssetManifest;
  const get = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(`${t.baseUrl}${path}`, { headers: { Accept: 'text/html', ...headers } });

  async function post(overrides: Parameters<typeof clientBody>[0] = {}): Promise<string> {
    const res = await clientPost(t.baseUrl, JSON.stringify(clientBody(overrides)));
    expect(res.status).toBe(200);
    return new URL(res.json<{ url: string }>().url).pathname;
  }

  describe('pages', () => {
    it('/play opens the starter program, with the page script and no inline script', async () => {
      const res = await get('/play');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(textareaText(res.text)).toBe(STARTER_PROGRAM);
      expect(res.text.match(/<h1>/g)).toHaveLength(1);
      expect(res.text).toContain('<h1>Playground</h1>');
      expect(res.text).toContain('<a class="skip" href="#main">');
      expect(res.text).toContain('<a href="/play" aria-current="page">Playground</a>');
      expect(res.text).not.toContain('data-remix-of');
      const scripts = [...res.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.map((s) => [s[1], s[2]])).toEqual([
        [` type="module" src="${manifest().page}"`, ''],
      ]);
      expect(manifest().page).toMatch(/^\/static\/play\/page\.[A-Z0-9]{8}\.js$/);
      for (const name of ['Run', 'Stop', 'Post']) {
        expect(res.text).toMatch(new RegExp(`<button type="button" id="play-\\w+"[^>]*>${name}<`));
      }
      expect(res.text).toMatch(/id="play-status"[^>]*role="status" aria-live="polite"/);
    });

    it("/<id>/play opens the grid's code cells in order, and remixes that grid", async () => {
      const cells = ['from ipythonblocks import BlockGrid', 'grid = BlockGrid(3, 2)\ngrid.show()'];
      const path = await post({ code_cells: cells });
      const hashId = path.slice(1);
      const res = await get(`${path}/play`);
      expect(res.status).toBe(200);
      expect(textareaText(res.text)).toBe(cells.join('\n\n'));
      expect(res.text).toContain(`data-remix-of="${hashId}"`);
      expect(res.text).toContain(`<a href="${path}"><code>${hashId}</code></a>`);
      expect(res.text).toContain(`<link rel="canonical" href="${t.baseUrl}${path}/play">`);
      expect(res.text).not.toContain('noindex');
    });

    it('opens a grid without code with the two lines that fetch it, secret=True for a secret one', async () => {
      const open = await post({ code_cells: null });
      const res = await get(`${open}/play`);
      expect(textareaText(res.text)).toBe(
        `from ipythonblocks import BlockGrid\ngrid = BlockGrid.from_web('${open.slice(1)}')\ngrid`,
      );

      const secret = await post({ code_cells: null, secret: true });
      const hashId = secret.split('/').pop()!;
      const page = await get(`${secret}/play`);
      expect(page.status).toBe(200);
      expect(textareaText(page.text)).toBe(
        `from ipythonblocks import BlockGrid\ngrid = BlockGrid.from_web('${hashId}', secret=True)\ngrid`,
      );
      expect(page.text).toContain(`data-remix-of="secret/${hashId}"`);
      expect(page.text).toContain('<meta name="robots" content="noindex, nofollow">');
    });

    it('keeps code that looks like markup as text', async () => {
      const cell = '</textarea><script>alert(1)</script>\nprint("<b>&amp;</b>")';
      const path = await post({ code_cells: [cell] });
      const res = await get(`${path}/play`);
      expect(textareaText(res.text)).toBe(cell);
      expect(res.text).not.toContain('<script>alert(1)');
    });

    it('answers the site’s 404 page for an unknown grid or the wrong visibility', async () => {
      const publicPath = await post();
      for (const path of ['/zzzzzz/play', '/secret/zzzzzz/play', `/secret${publicPath}/play`]) {
        const res = await get(path);
        expect([path, res.status]).toEqual([path, 404]);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toContain('<h1>');
      }
    });

    it('answers 410 for a grid that was taken down, public or secret', async () => {
      const ids = t.app.get(GridIds);
      for (const secret of [false, true]) {
        const path = await post({ secret });
        const visibility = secret ? 'secret' : 'public';
        expect((await get(`${path}/play`)).status).toBe(200);
        const id = ids.decode(visibility, path.split('/').pop()!)!;
        await t.app.get(HiddenGridsRepository).hide(visibility, id, 'test');
        const res = await get(`${path}/play`);
        expect(res.status).toBe(410);
        expect(res.text).toContain('<h1>This grid has been taken down</h1>');
      }
    });
  });

  describe('Content-Security-Policy', () => {
    const policy = (res: RawResponse) => res.headers['content-security-policy'] as string;

    it("lets the playground's pages compile WebAssembly and start a same-origin worker, never eval", async () => {
      const grid = await post();
      for (const path of ['/play', `${grid}/play`, manifest().page, manifest().worker]) {
        const csp = policy(await get(path));
        expect([path, csp]).toEqual([path, expect.stringContaining("worker-src 'self'")]);
        expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
        expect(csp).not.toContain("'unsafe-eval'");
        expect(csp).toContain("frame-ancestors 'none'");
      }
    });

    it('keeps every other page on the site-wide policy', async () => {
      const grid = await post();
      const site = policy(await get('/about'));
      expect(site).toContain("script-src 'self';");
      expect(site).not.toContain('wasm');
      expect(site).not.toContain('worker-src');
      for (const path of ['/', '/recent', grid, `${grid}/embed`, '/zzzzzz', '/get/zzzzzz']) {
        const csp = policy(await get(path));
        expect([path, csp.replace('frame-ancestors *', "frame-ancestors 'none'")]).toEqual([
          path,
          site,
        ]);
      }
    });
  });

  describe("Pyodide's files", () => {
    const wasmUrl = () => `${manifest().pyodideIndex}pyodide.asm.wasm`;

    it('live under a directory named by a hash of their content', () => {
      expect(manifest().pyodideIndex).toMatch(/^\/static\/pyodide\/[0-9a-f]{12}\/$/);
      const served = manifest().files.map((f) => f.path.split('/').pop());
      expect(served).toEqual(expect.arrayContaining(PYODIDE_FILES));
    });

    it.each([
      ['gzip, deflate, br, zstd', 'br'],
      ['br', 'br'],
      ['gzip', 'gzip'],
      ['identity', undefined],
      ['', undefined],
      ['br;q=0, gzip;q=0', undefined],
    ])(
      'are sent precompressed by Accept-Encoding "%s" (%s), cached for a year',
      async (accept, encoding) => {
        const res = await rawRequest(`${t.baseUrl}${wasmUrl()}`, {
          headers: { 'Accept-Encoding': accept },
        });
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe('application/wasm');
        expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(res.headers.vary).toBe('Accept-Encoding');
        expect(res.headers['content-encoding']).toBe(encoding);
        expect(Number(res.headers['content-length'])).toBe(res.body.length);
        const body =
          encoding === 'br'
            ? brotliDecompressSync(res.body)
            : encoding === 'gzip'
              ? gunzipSync(res.body)
              : res.body;
        const original = readFileSync(join(PYODIDE_PACKAGE, 'pyodide.asm.wasm'));
        expect(sha256(body)).toBe(sha256(original));
      },
    );

    it('serves each file the build listed, with its own type; nothing else', async () => {
      const types: Record<string, string> = {};
      for (const file of manifest().files) {
        const res = await rawRequest(`${t.baseUrl}/static/${file.path}`, {
          method: 'HEAD',
          headers: { 'Accept-Encoding': 'br' },
        });
        expect([file.path, res.status]).toEqual([file.path, 200]);
        types[
          file.path
            .split('/')
            .pop()!
            .replace(/\.[A-Z0-9]{8}\./, '.')
        ] = res.headers['content-type'] as string;
      }
      expect(types).toMatchObject({
        'page.js': 'text/javascript; charset=utf-8',
        'worker.js': 'text/javascript; charset=utf-8',
        'pyodide.mjs': 'text/javascript; charset=utf-8',
        'pyodide.asm.mjs': 'text/javascript; charset=utf-8',
        'python_stdlib.zip': 'application/zip',
        'pyodide-lock.json': 'application/json; charset=utf-8',
      });
      const stale = wasmUrl().replace(/\/pyodide\/[0-9a-f]+\//, '/pyodide/000000000000/');
      for (const path of [
        stale,
        `${manifest().pyodideIndex}console.html`,
        `${manifest().pyodideIndex}pyodide.asm.wasm.br`,
        '/static/play/page.js',
        `${manifest().pyodideIndex}..%2f..%2fmanifest.json`,
      ]) {
        expect([path, (await rawRequest(`${t.baseUrl}${path}`)).status]).toEqual([path, 404]);
      }
    });
  });

  describe('links', () => {
    it('a grid page offers "Open in playground" beside the notebook remix, secret or not', async () => {
      for (const secret of [false, true]) {
        const path = await post({ secret });
        const res = await get(path);
        expect(res.text).toContain(`<a class="button" href="${path}/play">Open in playground</a>`);
      }
    });

    it('the landing and about pages link to /play', async () => {
      for (const path of ['/', '/about']) {
        expect((await get(path)).text).toMatch(/<a [^>]*href="\/play"[^>]*>Open the playground</);
      }
    });

    it('no page but the playground loads a script, Pyodide or the playground bundles', async () => {
      const grid = await post();
      const secret = await post({ secret: true });
      for (const path of ['/', '/about', '/recent', grid, secret, `${grid}/embed`]) {
        const { text } = await get(path);
        expect([path, /pyodide|\/static\/play\/|<script/i.test(text)]).toEqual([path, false]);
      }
    });
  });
});
