import type { Application } from 'express';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { useTestApp } from '../support/test-app';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * `/:hashId` takes any single path segment, so it must come after every route of one segment:
 * AppModule states the order (FEATURES_IN_ROUTE_ORDER); this holds it to its word.
 */
describe('route order', () => {
  const t = useTestApp();

  it('registers the grid pages’ catch-all routes after every other GET route', () => {
    const express = t.app.getHttpAdapter().getInstance() as Application;
    const layers = (express as unknown as { router: { stack: Layer[] } }).router.stack;
    const gets = layers.filter((l) => l.route?.methods.get).map((l) => l.route!.path);
    const catchAll = gets.indexOf('/:hashId');
    expect(gets.indexOf('/:hashId/embed')).toBeLessThan(gets.indexOf('/secret/:hashId'));
    // `/secret/play` is the playground of a public grid "secret"; `/get/play` is the API's. (A
    // route's middleware is a layer of its path too, ahead of every handler: hence lastIndexOf.)
    expect(gets.lastIndexOf('/:hashId/play')).toBeLessThan(gets.indexOf('/secret/:hashId'));
    expect(gets.indexOf('/get/:hashId')).toBeLessThan(gets.lastIndexOf('/:hashId/play'));
    expect(gets.indexOf('/:hashId/remixes')).toBeLessThan(gets.indexOf('/secret/:hashId'));
    expect(catchAll).toBeGreaterThan(-1);
    const after = gets.slice(catchAll + 1);
    expect(after).toEqual([]);
    const fixed = [
      '/health',
      '/post',
      '/about',
      '/random',
      '/recent',
      '/play',
      '/get/:hashId',
      '/oembed',
    ];
    // `/secret/embed` is the embed page of a public grid "secret", not the secret grid "embed".
    for (const path of [...fixed, '/:hashId/embed', '/:hashId/play', '/:hashId/remixes']) {
      expect(gets.indexOf(path)).toBeGreaterThan(-1);
      expect(gets.indexOf(path)).toBeLessThan(catchAll);
    }
  });

  it.each([
    ['/health', 200, /json/],
    ['/about', 200, /html/],
    ['/recent', 200, /html/],
    ['/play', 200, /html/],
    ['/get/play', 404, /json/],
    ['/post', 405, /json/],
  ])('sends %s to its own handler, not to a grid page', async (path, status, type) => {
    const res = await rawRequest(`${t.baseUrl}${path}`);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(type);
  });

  it('answers errors as the controller that threw answers: JSON from the API, HTML from pages', async () => {
    const api = await rawRequest(`${t.baseUrl}/get/zzzzzz`);
    expect(api.status).toBe(404);
    expect(api.headers['content-type']).toMatch(/^application\/json/);
    const page = await rawRequest(`${t.baseUrl}/zzzzzz`, { headers: { Accept: '*/*' } });
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const bad = await clientPost(t.baseUrl, '{"nope"');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/json/);
    expect((await clientPost(t.baseUrl, JSON.stringify(clientBody()))).status).toBe(200);
  });

  it('answers an unknown path with a page, or with JSON to a client that asks for JSON', async () => {
    const browser = await rawRequest(`${t.baseUrl}/no/such/thing`, {
      headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(browser.status).toBe(404);
    expect(browser.headers['content-type']).toMatch(/^text\/html/);
    const client = await rawRequest(`${t.baseUrl}/no/such/thing`, {
      headers: { Accept: 'application/json' },
    });
    expect(client.status).toBe(404);
    expect(client.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});
