import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SchemaObject, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { EXAMPLE_413, EXAMPLE_429 } from './api-examples';

/** The Swagger UI page; its assets and init script are served below it. */
export const API_DOCS_PATH = '/api/docs';
/** The OpenAPI document as JSON. */
export const API_DOCS_JSON_PATH = '/api/docs-json';

/**
 * Swagger UI's own colours fail WCAG AA contrast (white on #61affe is 2.3:1): the method badges,
 * the version stamp and links get darker shades of the same hues (each 5:1 or more on white).
 * The limits table (in the description's markdown) wraps its cells, and the title shrinks, to fit
 * a 320 px phone.
 */
const API_DOCS_CSS = [
  '.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #0b5cad; }',
  '.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #1b7f4f; }',
  '.swagger-ui .info .title small.version-stamp { background: #4a6b00; }',
  '.swagger-ui .info a, .swagger-ui .info .link, .swagger-ui a.nostyle { color: #1f5fbf; }',
  '.swagger-ui .info table { table-layout: fixed; width: 100%; }',
  '.swagger-ui .info table td, .swagger-ui .info table th { overflow-wrap: anywhere; }',
  '@media (max-width: 480px) { .swagger-ui .info .title { font-size: 24px; overflow-wrap: anywhere; } }',
].join('\n');

/**
 * The OpenAPI document of the client API (`POST /post`, `GET /get/...`, `GET /health`) and
 * Swagger UI, self-hosted from swagger-ui-dist. Must run in configureApp, before the app's
 * routes are registered: its routes then come before the page route `/:hashId`.
 *
 * Nest's page loads swagger-ui-bundle.js, the preset and swagger-ui-init.js (which carries the
 * document) as same-origin files, so it needs no inline script under the app's CSP.
 */
export function setupApiDocs(app: NestExpressApplication): void {
  const config = app.get(AppConfig);
  app.use(docsCacheControl);
  SwaggerModule.setup(API_DOCS_PATH.slice(1), app, () => buildApiDocument(app, config), {
    jsonDocumentUrl: API_DOCS_JSON_PATH.slice(1),
    raw: ['json'],
    customSiteTitle: 'ipythonblocks.org API',
    customCss: API_DOCS_CSS,
    swaggerOptions: {
      // The default shows a badge image fetched from validator.swagger.io: nothing off-site.
      validatorUrl: null,
      // With deep linking, each operation's summary button holds a link: nested interactive
      // controls, which screen readers and keyboards cannot tell apart.
      deepLinking: false,
      defaultModelsExpandDepth: 2,
      tryItOutEnabled: false,
    },
  });
}

/** Builds the document from the controllers' decorators, with the configured limits filled in. */
export function buildApiDocument(app: NestExpressApplication, config: AppConfig): OpenAPIObject {
  const limits = limitRows(config);
  const info = new DocumentBuilder()
    .setTitle('ipythonblocks.org API')
    .setVersion('1')
    .setDescription(describeApi(limits))
    .addExtension('x-limits', Object.fromEntries(limits.map((l) => [l.variable, l.value])), 'info')
    .build();
  const document = SwaggerModule.createDocument(app, info);
  fillInLimits(document, config);
  return document;
}

interface LimitRow {
  variable: string;
  value: number;
  meaning: string;
}

/** The limits a post must respect, with the values this process runs with. */
export function limitRows(config: AppConfig): LimitRow[] {
  const { limits } = config;
  return [
    {
      variable: 'MAX_BODY_BYTES',
      value: limits.maxBodyBytes,
      meaning: 'Largest `POST /post` body in bytes; larger bodies get a 413',
    },
    {
      variable: 'MAX_BLOCKS',
      value: limits.maxBlocks,
      meaning: 'Largest `grid_data.width * grid_data.height`',
    },
    {
      variable: 'MAX_BLOCK_SIZE',
      value: limits.maxBlockSize,
      meaning: 'Largest block size (the 4th item of a block), in pixels',
    },
    {
      variable: 'MAX_CODE_CELLS',
      value: limits.maxCodeCells,
      meaning: 'Most `code_cells` in one post',
    },
    {
      variable: 'MAX_CODE_CELL_CHARS',
      value: limits.maxCodeCellChars,
      meaning: 'Longest code cell, in characters',
    },
    {
      variable: 'MAX_CODE_CHARS',
      value: limits.maxCodeChars,
      meaning: 'Most characters in all the `code_cells` of one post',
    },
    {
      variable: 'POST_RATE_LIMIT',
      value: config.postRateLimit,
      meaning: 'Most posts a minute from one client address (0: unlimited); past it, a 429',
    },
  ];
}

function describeApi(limits: LimitRow[]): string {
  return [
    '[← ipythonblocks.org](/): the site, its grids and how to post them.',
    '',
    'The API the installed ipythonblocks client speaks: `grid.post_to_web()` posts a grid to',
    '`POST /post` and `BlockGrid.from_web(id)` reads it back with `GET /get/{hashId}`.',
    '',
    '`POST /post` reads its body as JSON **with or without a Content-Type header** (the',
    'installed Python client sends none). Unknown keys are ignored, so newer clients keep',
    'working. Bad input gets a 4xx JSON answer naming every failing field; nothing is stored.',
    'Errors are JSON `{statusCode, error, message}`; while the database is unreachable the',
    'answer is 503 with `Retry-After`; when its disk is full, 503 without it.',
    '',
    '### Limits',
    '',
    'Set by environment variables; the values this server runs with:',
    '',
    '| variable | value | meaning |',
    '| --- | --- | --- |',
    ...limits.map((l) => `| \`${l.variable}\` | ${l.value} | ${l.meaning} |`),
  ].join('\n');
}

/** Puts the configured limits into the schemas and examples that the decorators describe. */
function fillInLimits(document: OpenAPIObject, config: AppConfig): void {
  const { limits } = config;
  const schemas = document.components?.schemas ?? {};
  const post = schemas.GridPost as SchemaObject | undefined;
  const codeCells = post?.properties?.code_cells as SchemaObject | undefined;
  if (codeCells) {
    codeCells.maxItems = limits.maxCodeCells;
    codeCells.items = { type: 'string', maxLength: limits.maxCodeCellChars };
  }
  const grid = schemas.GridData as SchemaObject | undefined;
  const blocks = grid?.properties?.blocks as SchemaObject | undefined;
  const block = (blocks?.items as SchemaObject | undefined)?.items as SchemaObject | undefined;
  if (block) {
    block.description = `[red, green, blue, size]: colours 0..255, size 1..${limits.maxBlockSize} (MAX_BLOCK_SIZE)`;
  }
  if (grid) {
    grid.description = `${grid.description ?? ''} Here MAX_BLOCKS is ${limits.maxBlocks}.`.trim();
  }
  setPostExample(document, '413', {
    ...EXAMPLE_413,
    message: `The request body is larger than the limit of ${limits.maxBodyBytes} bytes (MAX_BODY_BYTES)`,
  });
  setPostExample(document, '429', {
    ...EXAMPLE_429,
    message: EXAMPLE_429.message.replace(/at most \d+/, `at most ${config.postRateLimit}`),
  });
}

function setPostExample(document: OpenAPIObject, status: string, example: unknown): void {
  const response = document.paths['/post']?.post?.responses?.[status];
  const media = response && 'content' in response ? response.content?.['application/json'] : null;
  if (media) media.example = example;
}

/** The docs change with each deploy: caches must revalidate (the answers carry ETags). */
function docsCacheControl(req: Request, res: Response, next: NextFunction): void {
  const { path } = req;
  if (
    path === API_DOCS_PATH ||
    path === API_DOCS_JSON_PATH ||
    path.startsWith(`${API_DOCS_PATH}/`)
  ) {
    res.setHeader('Cache-Control', 'no-cache');
  }
  next();
}
