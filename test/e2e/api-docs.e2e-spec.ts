/**
 * The API documentation: the OpenAPI document at /api/docs-json and Swagger UI at /api/docs.
 * The documented examples are sent to the app and compared with what it answers, so the
 * document cannot drift from the behaviour. The app runs with non-default limits to show that
 * the document carries the configured values.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import type {
  ExampleObject,
  MediaTypeObject,
  OpenAPIObject,
  OperationObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import type { Browser } from 'playwright-core';
import { EXAMPLE_POST_BODY } from '../../src/grid-api/api-examples';
import { launchChromium, skipBrowserTests, watchPage } from '../support/browser';
import { clientBody } from '../support/grid-factory';
import { clientPostFrom, newClientAddress, rawRequest } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { testConfig } from '../support/test-config';

const LIMITS = {
  MAX_BODY_BYTES: 65_536,
  MAX_BLOCKS: 4096,
  MAX_BLOCK_SIZE: 64,
  MAX_CODE_CELLS: 7,
  MAX_CODE_CELL_CHARS: 5000,
  MAX_CODE_CHARS: 20_000,
  POST_RATE_LIMIT: 100,
};

/** The Content-Security-Policy the app's pages are served with (helmet, configureApp). */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/** Every documented operation and the statuses it must document. */
const OPERATIONS: [path: string, method: 'get' | 'post', statuses: string[]][] = [
  ['/post', 'post', ['200', '400', '413', '415', '429', '503', '504']],
  ['/post', 'get', ['405']],
  ['/get/{hashId}', 'get', ['200', '304', '404', '410', '503']],
  ['/get/secret/{hashId}', 'get', ['200', '304', '404', '410', '503']],
  ['/health', 'get', ['200', '503']],
  ['/oembed', 'get', ['200', '400', '404', '410', '501']],
];
/** The documented HTML pages: the embed pages other sites frame. */
const HTML_OPERATIONS = ['/{hashId}/embed', '/secret/{hashId}/embed'];
/** The documented grid formats (files to download or show). */
const FORMAT_OPERATIONS = [
  '/{hashId}.ipynb',
  '/secret/{hashId}.ipynb',
  '/{hashId}.svg',
  '/secret/{hashId}.svg',
];

const describeBrowser = skipBrowserTests ? describe.skip : describe;

/**
 * This app's posts come from an address of their own: on a server database every test app's
 * posts from 127.0.0.1 are counted together, and this app's low POST_RATE_LIMIT would block
 * that address for the specs that run after it.
 */
const CLIENT = newClientAddress();
const clientPost = (baseUrl: string, body: string) => clientPostFrom(baseUrl, CLIENT, body);

describe('API documentation', () => {
  let t: TestApp;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    const env = Object.fromEntries(Object.entries(LIMITS).map(([k, v]) => [k, String(v)]));
    t = await startTestApp(testConfig(env));
    const res = await rawRequest(`${t.baseUrl}/api/docs-json`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.json<OpenAPIObject>();
  });
  afterAll(() => t.close());

  const operation = (path: string, method: 'get' | 'post'): OperationObject => {
    const op = doc.paths[path]?.[method];
    if (!op) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
    return op;
  };
  const json = (path: string, method: 'get' | 'post', status: string): MediaTypeObject => {
    const response = operation(path, method).responses[status] as ResponseObject;
    const media = response.content?.['application/json'];
    if (!media) throw new Error(`${method} ${path} ${status} has no JSON content`);
    return media;
  };
  const example = (media: MediaTypeObject, name?: string): unknown =>
    name ? (media.examples?.[name] as ExampleObject).value : media.example;
  const schema = (name: string): SchemaObject => doc.components?.schemas?.[name] as SchemaObject;
  const postExample = (): Record<string, unknown> => {
    const body = operation('/post', 'post').requestBody as {
      content: Record<string, MediaTypeObject>;
    };
    return example(body.content['application/json'], 'blockGrid') as Record<string, unknown>;
  };

  describe('/api/docs-json', () => {
    it('is a valid OpenAPI 3 document', async () => {
      expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
      // The validator dereferences in place: give it a copy.
      await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
    });

    it('documents the client API, /health, oEmbed, the embed pages and the grid formats, and no other HTML page', () => {
      expect(Object.keys(doc.paths).sort()).toEqual([
        '/get/secret/{hashId}',
        '/get/{hashId}',
        '/health',
        '/oembed',
        '/post',
        '/secret/{hashId}.ipynb',
        '/secret/{hashId}.svg',
        '/secret/{hashId}/embed',
        '/{hashId}.ipynb',
        '/{hashId}.svg',
        '/{hashId}/embed',
      ]);
      const methods = (path: string) =>
        Object.keys(doc.paths[path]).filter((k) => ['get', 'post', 'put', 'delete'].includes(k));
      expect(methods('/post').sort()).toEqual(['get', 'post']);
      for (const path of ['/get/{hashId}', '/get/secret/{hashId}', '/health']) {
        expect(methods(path)).toEqual(['get']);
      }
      for (const path of ['/{hashId}.ipynb', '/secret/{hashId}.ipynb', '/{hashId}.svg']) {
        expect(methods(path)).toEqual(['get']);
      }
    });

    it('documents each grid format with the content type the app serves it as', async () => {
      const posted = await clientPost(t.baseUrl, JSON.stringify(clientBody()));
      const pagePath = new URL(posted.json<{ url: string }>().url).pathname;
      for (const format of ['ipynb', 'svg']) {
        const response = operation(`/{hashId}.${format}`, 'get').responses['200'] as ResponseObject;
        const served = await rawRequest(`${t.baseUrl}${pagePath}.${format}`);
        expect(served.status).toBe(200);
        expect(Object.keys(response.content ?? {})).toEqual([served.headers['content-type']]);
      }
    });

    it.each(OPERATIONS)(
      '%s %s documents its answers, each JSON one with an example',
      (path, method, statuses) => {
        const { responses } = operation(path, method);
        expect(Object.keys(responses).sort()).toEqual([...statuses].sort());
        for (const status of statuses.filter((s) => s !== '304')) {
          const media = json(path, method, status);
          expect(media.schema).toBeDefined();
          expect(media.example ?? media.examples).toBeDefined();
        }
      },
    );

    it.each(HTML_OPERATIONS)(
      '%s documents an HTML page any site may frame, its 404 and its 410',
      (path) => {
        const { responses } = operation(path, 'get');
        expect(Object.keys(responses).sort()).toEqual(['200', '404', '410']);
        const ok = responses['200'] as ResponseObject;
        expect(Object.keys(ok.content ?? {})).toEqual(['text/html']);
        expect(ok.description).toContain('frame-ancestors *');
      },
    );

    it('shows the oEmbed answer and errors as the app gives them', async () => {
      const posted = await clientPost(t.baseUrl, JSON.stringify(EXAMPLE_POST_BODY));
      const url = posted.json<{ url: string }>().url;
      const live = await rawRequest(`${t.baseUrl}/oembed?url=${encodeURIComponent(url)}`);
      const documented = example(json('/oembed', 'get', '200')) as Record<string, unknown>;
      expect(Object.keys(live.json<object>()).sort()).toEqual(Object.keys(documented).sort());
      const host = new URL(t.baseUrl).host;
      const hashId = new URL(url).pathname.slice(1);
      // The example is the 2x2 example post's answer on www.ipythonblocks.org, whose site name
      // (its host without www.) is ipythonblocks.org; here both are the test app's host.
      expect(JSON.stringify(live.json())).toBe(
        JSON.stringify(documented)
          .replaceAll('www.ipythonblocks.org', host)
          .replaceAll('ipythonblocks.org', host)
          .replaceAll('bizkiL', hashId),
      );
      for (const [status, query] of [
        ['400', '?url=x&maxwidth=abc'],
        ['404', `?url=${encodeURIComponent(`http://example.com/${hashId}`)}`],
        ['501', '?url=x&format=xml'],
      ]) {
        const documentedError = example(json('/oembed', 'get', status)) as { message: string };
        const error = await rawRequest(`${t.baseUrl}/oembed${query}`);
        expect(error.status).toBe(Number(status));
        expect(error.json()).toEqual({
          ...documentedError,
          message: documentedError.message
            .replaceAll('www.ipythonblocks.org', host)
            .replaceAll('bizkiL', hashId),
        });
      }
    });

    it('says a body without a Content-Type is accepted and unknown keys are ignored', () => {
      const op = operation('/post', 'post');
      const body = op.requestBody as { description: string; required: boolean };
      expect(op.description).toMatch(/whatever its Content-Type, and also without one/);
      expect(op.description).toMatch(/sends no Content-Type header/);
      expect(body.description).toMatch(/Content-Type header is optional/);
      expect(body.required).toBe(true);
      expect(doc.info.description).toMatch(/with or without a Content-Type header/);
      // The docs page links back to the site it documents.
      expect(doc.info.description).toContain('[← ipythonblocks.org](/)');
      for (const text of [op.description, body.description, schema('GridPost').description]) {
        expect(text).toMatch(/[Uu]nknown keys are ignored/);
      }
    });

    it('describes the posted body', () => {
      const post = schema('GridPost');
      expect(post.required?.sort()).toEqual(
        ['code_cells', 'grid_data', 'ipb_class', 'ipb_version', 'python_version', 'secret'].sort(),
      );
      const props = post.properties as Record<string, SchemaObject>;
      expect(props.python_version).toMatchObject({ type: 'array', minItems: 5, maxItems: 5 });
      expect(props.ipb_version).toMatchObject({ type: 'string' });
      expect(props.ipb_class).toMatchObject({ type: 'string', enum: ['BlockGrid', 'ImageGrid'] });
      expect(props.code_cells).toMatchObject({
        type: 'array',
        nullable: true,
        minItems: 1,
        items: { type: 'string' },
      });
      expect(props.secret).toMatchObject({ type: 'boolean' });
      expect(props.grid_data).toEqual({ $ref: '#/components/schemas/GridData' });

      const grid = schema('GridData');
      expect(grid.required?.sort()).toEqual(['blocks', 'height', 'lines_on', 'width']);
      const gridProps = grid.properties as Record<string, SchemaObject>;
      expect(gridProps.lines_on).toMatchObject({ type: 'boolean' });
      expect(gridProps.width).toMatchObject({ type: 'integer', minimum: 1 });
      expect(gridProps.height).toMatchObject({ type: 'integer', minimum: 1 });
      // Rows of blocks of [r, g, b, size].
      expect(gridProps.blocks).toMatchObject({
        type: 'array',
        items: {
          type: 'array',
          items: { type: 'array', minItems: 4, maxItems: 4, items: { type: 'integer' } },
        },
      });
    });

    it('carries the limits with the values the app runs with', () => {
      expect((doc.info as unknown as Record<string, unknown>)['x-limits']).toEqual(LIMITS);
      for (const [variable, value] of Object.entries(LIMITS)) {
        expect(doc.info.description).toContain(`| \`${variable}\` | ${value} |`);
      }
      const codeCells = (schema('GridPost').properties as Record<string, SchemaObject>).code_cells;
      expect(codeCells.maxItems).toBe(LIMITS.MAX_CODE_CELLS);
      expect(codeCells.items).toMatchObject({ maxLength: LIMITS.MAX_CODE_CELL_CHARS });
      const blocks = (schema('GridData').properties as Record<string, SchemaObject>).blocks;
      const block = (blocks.items as SchemaObject).items as SchemaObject;
      expect(block.description).toContain(`size 1..${LIMITS.MAX_BLOCK_SIZE} (MAX_BLOCK_SIZE)`);
      expect(schema('GridData').description).toContain(`MAX_BLOCKS is ${LIMITS.MAX_BLOCKS}`);
      expect((example(json('/post', 'post', '413')) as { message: string }).message).toContain(
        `limit of ${LIMITS.MAX_BODY_BYTES} bytes`,
      );
      expect((example(json('/post', 'post', '429')) as { message: string }).message).toContain(
        `at most ${LIMITS.POST_RATE_LIMIT} a minute`,
      );
    });

    it('is not cached as immutable', async () => {
      const res = await rawRequest(`${t.baseUrl}/api/docs-json`);
      expect(res.headers['cache-control']).toBe('no-cache');
    });
  });

  describe('the documented examples are what the app does', () => {
    it('the example post, sent as-is without a Content-Type, is stored and read back as documented', async () => {
      const body = postExample();
      expect(body).toMatchObject({ ipb_class: 'BlockGrid', grid_data: { width: 2, height: 2 } });
      const posted = await clientPost(t.baseUrl, JSON.stringify(body));
      expect(posted.status).toBe(200);
      const { url } = posted.json<{ url: string }>();
      const documented = example(json('/post', 'post', '200'), 'public') as { url: string };
      const shape = (u: string) => new URL(u).pathname.replace(/[A-Za-z0-9]{6,}$/, '<id>');
      expect(shape(url)).toBe(shape(documented.url));

      const got = await rawRequest(`${t.baseUrl}/get/${url.split('/').pop()}`);
      expect(got.status).toBe(200);
      expect(got.json()).toEqual(example(json('/get/{hashId}', 'get', '200')));
      expect(got.json()).toEqual(body.grid_data);
    });

    it('the example remix, of the example post, is listed on its page', async () => {
      const parent = await clientPost(t.baseUrl, JSON.stringify(postExample()));
      const parentId = parent.json<{ url: string }>().url.split('/').pop()!;
      const body = operation('/post', 'post').requestBody as {
        content: Record<string, MediaTypeObject>;
      };
      const remix = example(body.content['application/json'], 'remix') as Record<string, unknown>;
      expect(remix.remix_of).toBe('bizkiL');
      const text = JSON.stringify(remix).replaceAll('bizkiL', parentId);
      const posted = await clientPost(t.baseUrl, text);
      expect(posted.status).toBe(200);
      const remixId = posted.json<{ url: string }>().url.split('/').pop()!;
      const page = await rawRequest(`${t.baseUrl}/${parentId}`);
      expect(page.text).toContain(`<li><a href="/${remixId}">`);
    });

    it('the example post as a secret grid answers a /secret/ URL, read back by /get/secret', async () => {
      const posted = await clientPost(
        t.baseUrl,
        JSON.stringify({ ...postExample(), secret: true }),
      );
      expect(posted.status).toBe(200);
      const { url } = posted.json<{ url: string }>();
      const documented = example(json('/post', 'post', '200'), 'secret') as { url: string };
      const shape = (u: string) => new URL(u).pathname.replace(/[A-Za-z0-9]{6,}$/, '<id>');
      expect(shape(url)).toBe(shape(documented.url));
      const got = await rawRequest(`${t.baseUrl}/get/secret/${url.split('/').pop()}`);
      expect(got.json()).toEqual(example(json('/get/secret/{hashId}', 'get', '200')));
    });

    it('the 400 examples are the app’s answers', async () => {
      const good = postExample() as { grid_data: { blocks: number[][][] } };
      const blocks = structuredClone(good.grid_data.blocks);
      blocks[1][1][0] = 256;
      const bad = {
        ...good,
        python_version: [3, 11],
        ipb_class: 'Grid',
        secret: 'no',
        grid_data: { ...good.grid_data, blocks },
      };
      const fields = await clientPost(t.baseUrl, JSON.stringify(bad));
      expect(fields.status).toBe(400);
      expect(fields.json()).toEqual(example(json('/post', 'post', '400'), 'invalidFields'));

      const notJson = await clientPost(t.baseUrl, '{"python_version": [3,');
      expect(notJson.status).toBe(400);
      expect(notJson.json()).toEqual(example(json('/post', 'post', '400'), 'invalidJson'));

      const remixOfUrl = { ...good, remix_of: 'http://www.ipythonblocks.org/bizkiL' };
      const remixOf = await clientPost(t.baseUrl, JSON.stringify(remixOfUrl));
      expect(remixOf.status).toBe(400);
      expect(remixOf.json()).toEqual(example(json('/post', 'post', '400'), 'invalidRemixOf'));
    });

    it('the 413 example is the app’s answer, with the configured MAX_BODY_BYTES', async () => {
      const res = await clientPost(t.baseUrl, ' '.repeat(LIMITS.MAX_BODY_BYTES + 1));
      expect(res.status).toBe(413);
      expect(res.json()).toEqual(example(json('/post', 'post', '413')));
    });

    it('the 415 example is the app’s answer', async () => {
      const res = await rawRequest(`${t.baseUrl}/post`, {
        method: 'POST',
        body: '{}',
        headers: { 'Content-Encoding': 'compress', 'X-Forwarded-For': CLIENT },
      });
      expect(res.status).toBe(415);
      expect(res.json()).toEqual(example(json('/post', 'post', '415')));
    });

    it('the 404, 405 and /health examples are the app’s answers', async () => {
      const notFound = await rawRequest(`${t.baseUrl}/get/zzzzzz`);
      expect(notFound.status).toBe(404);
      expect(notFound.json()).toEqual(example(json('/get/{hashId}', 'get', '404')));

      const get = await rawRequest(`${t.baseUrl}/post`);
      expect(get.status).toBe(405);
      expect(get.headers.allow).toBe('POST');
      expect(get.json()).toEqual(example(json('/post', 'get', '405')));

      const health = await rawRequest(`${t.baseUrl}/health`);
      expect(health.status).toBe(200);
      expect(health.json()).toEqual(example(json('/health', 'get', '200')));
      expect(example(json('/health', 'get', '503'))).toMatchObject({
        statusCode: 503,
        status: 'error',
        error: { database: { status: 'down' } },
      });
    });
  });

  describe('/api/docs (Swagger UI)', () => {
    /** The src/href of every script, stylesheet, icon and image in the page. */
    const references = (html: string): string[] =>
      [...html.matchAll(/<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map(
        (m) => m[1],
      );

    it.each(['/api/docs', '/api/docs/'])(
      '%s is the Swagger UI page, not a grid page, and not cached as immutable',
      async (path) => {
        const res = await rawRequest(`${t.baseUrl}${path}`);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.headers['cache-control']).toBe('no-cache');
        expect(res.text).toContain('<div id="swagger-ui"></div>');
        expect(res.text).toContain('<title>ipythonblocks.org API</title>');
      },
    );

    it('has no inline script, and loads every script and style from this app', async () => {
      const page = `${t.baseUrl}/api/docs`;
      const { text: html } = await rawRequest(page);
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)];
      expect(scripts.length).toBeGreaterThanOrEqual(3);
      for (const [, attributes, content] of scripts) {
        expect(attributes).toMatch(/\bsrc\s*=/);
        expect(content.trim()).toBe('');
      }
      expect(html).not.toMatch(/\son[a-z]+\s*=/i); // no inline event handlers either

      const refs = references(html);
      expect(refs).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/swagger-ui\.css$/),
          expect.stringMatching(/swagger-ui-bundle\.js$/),
          expect.stringMatching(/swagger-ui-init\.js$/),
        ]),
      );
      for (const ref of refs) {
        const url = new URL(ref, page);
        expect(url.origin).toBe(t.baseUrl);
        const asset = await rawRequest(url.href);
        expect({ ref, status: asset.status }).toEqual({ ref, status: 200 });
        expect(asset.body.length).toBeGreaterThan(0);
        expect(asset.headers['cache-control'] ?? '').not.toContain('immutable');
      }
    });

    it('turns off the validator badge (an image from another host)', async () => {
      const init = await rawRequest(`${t.baseUrl}/api/docs/swagger-ui-init.js`);
      expect(init.status).toBe(200);
      expect(init.headers['content-type']).toMatch(/javascript/);
      expect(init.text).toMatch(/"validatorUrl": null/);
    });
  });

  describeBrowser('/api/docs in Chromium under the app’s Content-Security-Policy', () => {
    let browser: Browser | undefined;

    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('renders every operation, loads nothing from another host, and logs no errors', async () => {
      if (!browser) throw new Error('Chromium did not start');
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        // Exactly this policy, whatever the app sends: a CSP violation is a console error.
        await page.route(`${t.baseUrl}/api/docs`, async (route) => {
          const response = await route.fetch();
          await route.fulfill({
            response,
            headers: { ...response.headers(), 'content-security-policy': CSP },
          });
        });
        const watch = watchPage(page, t.baseUrl);
        const res = await page.goto(`${t.baseUrl}/api/docs`, { waitUntil: 'load' });
        expect(res?.status()).toBe(200);
        await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
        expect(await page.locator('.opblock').count()).toBe(
          OPERATIONS.length + HTML_OPERATIONS.length + FORMAT_OPERATIONS.length,
        );
        expect(await page.locator('.info').textContent()).toContain('MAX_CODE_CELL_CHARS');
        expect(watch.requests.length).toBeGreaterThan(3);
        expect(watch.offsite).toEqual([]);
        expect(watch.errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
