/**
 * The oracle's 20 teaching programs through the playground page itself, as an autograder would
 * drive it: `window.ipbPlayground.run(code)` in Chromium, Python in the page's worker, from_web
 * and post_to_web against this server. The fixture's canned grids are posted first and the ids
 * the server gives put into the programs (as the fixture's README says); what differs between
 * the real library's run and this one by design is put back before comparing: each table's random
 * id, the URL the server answers a post with, and the code cell a playground post carries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipBrowserTests } from '../support/browser';
import { clientPost } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

interface OracleCase {
  name: string;
  code: string;
  expected: {
    stdout: string;
    events: ({ kind: 'html'; html: string } | { kind: 'clear'; wait: boolean })[];
    result: { html: string } | { text: string } | null;
    posts: { code_cells: unknown }[];
    grids: unknown;
    error: unknown;
  };
}

const oracle = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'playground-oracle.json'), 'utf8'),
) as {
  about: {
    canned_gets: Record<
      string,
      { width: number; height: number; lines_on: boolean; blocks: number[][][] }
    >;
  };
  cases: OracleCase[];
};

/** The oracle's stand-in for the URL a post is answered with. */
const ORACLE_POST_URL = /http:\/\/www\.ipythonblocks\.org\/posted\d+/g;
const TABLE_ID = /blocks[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g;
const RUN_TIMEOUT_MS = 60_000;

const describeBrowser = skipBrowserTests ? describe.skip : describe;

describeBrowser('the oracle programs in the playground page', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** Fixture id ("bizkiL", "secret/MiXoi4") -> the id this server gave the same grid. */
  const ids = new Map<string, string>();

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestApp();
    for (const [ref, grid] of Object.entries(oracle.about.canned_gets)) {
      const secret = ref.startsWith('secret/');
      const body = {
        python_version: [3, 11, 2, 'final', 0],
        ipb_version: '1.10.dev',
        ipb_class: 'BlockGrid',
        code_cells: null,
        secret,
        grid_data: grid,
      };
      const res = await clientPost(t.baseUrl, JSON.stringify(body));
      expect(res.status).toBe(200);
      ids.set(
        ref.replace('secret/', ''),
        new URL(res.json<{ url: string }>().url).pathname.split('/').pop()!,
      );
    }
    page = await browser.newPage();
    await page.goto(`${t.baseUrl}/play`);
    await page.waitForSelector('#playground.ready');
  }, RUN_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each(oracle.cases.map((c) => [c.name, c] as const))(
    '%s: byte for byte what the real library gave',
    async (_name, oracleCase) => {
      let code = oracleCase.code;
      for (const [fixtureId, ours] of ids) code = code.replaceAll(`'${fixtureId}'`, `'${ours}'`);
      const outcome = await page.evaluate<OracleCase['expected'], string>(
        (program) =>
          (
            window as unknown as { ipbPlayground: { run(c: string): Promise<unknown> } }
          ).ipbPlayground.run(program) as Promise<OracleCase['expected']>,
        code,
      );
      const postedUrls = new RegExp(`${t!.baseUrl.replace(/[.]/g, '\\.')}/(secret/)?\\w+`, 'g');
      let n = 0;
      const expectedUrls = [...oracleCase.expected.stdout.matchAll(ORACLE_POST_URL)].map(
        (m) => m[0],
      );
      const normal = {
        ...outcome,
        stdout: outcome.stdout.replace(postedUrls, () => expectedUrls[n++] ?? '?'),
        events: outcome.events.map((e) =>
          e.kind === 'html' ? { ...e, html: e.html.replace(TABLE_ID, 'blocks{id}') } : e,
        ),
        result:
          outcome.result && 'html' in outcome.result
            ? { html: outcome.result.html.replace(TABLE_ID, 'blocks{id}') }
            : outcome.result,
        // A playground post carries the editor's code as its one code cell; the oracle ran
        // outside a notebook (null).
        posts: outcome.posts.map((p) => {
          expect(p.code_cells).toEqual([code]);
          return { ...p, code_cells: null };
        }),
      };
      expect(normal).toEqual(oracleCase.expected);
    },
    RUN_TIMEOUT_MS,
  );
});
