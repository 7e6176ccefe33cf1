import { AppLifecycle } from '../../src/common/lifecycle';
import { clientBody } from '../support/grid-factory';
import { clientPost, rawRequest } from '../support/http';
import { emptyDatabase, EmptyDatabase } from '../support/empty-database';
import { startTestApp, type TestApp, useTestApp } from '../support/test-app';
import { testConfig, usingServer } from '../support/test-config';

/** Keeps the event loop busy, as a big synchronous job in the same process would. */
function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe('GET /health', () => {
  const t = useTestApp();

  it('answers 200 with the database, the storage and the process up', async () => {
    const res = await rawRequest(`${t.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      details: {
        database: { status: 'up' },
        storage: { status: 'up' },
        process: { status: 'up' },
      },
    });
  });

  it('measures the database, not the event loop: a loop blocked 1.5 s while the ping is in flight still answers 200', async () => {
    const query = t.dataSource.query.bind(t.dataSource);
    const spy = jest.spyOn(t.dataSource, 'query').mockImplementation(((sql: string) => {
      const answer = query(sql);
      // The ping is on its way and its timeout armed: now the loop is blocked.
      setImmediate(() => blockEventLoop(1500));
      return answer;
    }) as never);
    try {
      const started = performance.now();
      const res = await rawRequest(`${t.baseUrl}/health`);
      expect(performance.now() - started).toBeGreaterThanOrEqual(1500);
      expect(spy).toHaveBeenCalledWith('SELECT 1');
      expect(res.json()).toMatchObject({ details: { database: { status: 'up' } } });
      expect(res.status).toBe(200);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers 503, saying it is shutting down, once the drain has begun', async () => {
    t.app.get(AppLifecycle).startDraining();
    const res = await rawRequest(`${t.baseUrl}/health`);
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({
      error: { process: { status: 'down', message: 'shutting down' } },
    });
  });
});

/**
 * A schema that is missing or behind the code is not healthy: every grid route would answer 500.
 * A server database is migrated by `npm run migration:run` (Heroku's release phase); the
 * embedded one migrates itself at start.
 */
describe('GET /health with migrations not applied', () => {
  let database: EmptyDatabase;
  let t: TestApp;
  beforeAll(async () => {
    database = await emptyDatabase();
    t = await startTestApp(testConfig(database.env));
  });
  afterAll(async () => {
    await t.close();
    await database.drop();
  });

  it('answers 503 naming the migrations not applied and what applies them, and posts 503 with Retry-After, then 200 once they are', async () => {
    // The newest migration is pending either way: the embedded database has migrated itself, so
    // its newest is taken back.
    const [newest] = t.dataSource.migrations
      .map((migration) => migration.name ?? migration.constructor.name)
      .sort((a, b) => Number(b.slice(-13)) - Number(a.slice(-13)));
    if (!usingServer) await t.dataSource.undoLastMigration();
    const pending = await t.dataSource.showMigrations();
    expect(pending).toBe(true);

    // A post before the release has migrated: the client may retry, the operator is told why.
    const posted = await clientPost(t.baseUrl, JSON.stringify(clientBody()));
    expect(posted.status).toBe(503);
    expect(posted.headers['retry-after']).toBe('10');
    expect(posted.json<{ message: string }>().message).toMatch(/database is being upgraded/);

    const res = await rawRequest(`${t.baseUrl}/health`);
    expect(res.status).toBe(503);
    const body = res.json<{ error: Record<string, { status: string; message: string }> }>();
    expect(Object.keys(body.error)).toEqual(['schema']);
    const { message } = body.error.schema;
    expect(message).toMatch(/^\d+ migrations? not applied/);
    expect(message).toContain(newest);
    expect(message).toContain(usingServer ? 'npm run migration:run' : 'restart');

    await t.dataSource.runMigrations();
    const healthy = await rawRequest(`${t.baseUrl}/health`);
    expect(healthy.status).toBe(200);
    expect(healthy.json()).toMatchObject({ details: { schema: { status: 'up' } } });
    expect((await clientPost(t.baseUrl, JSON.stringify(clientBody()))).status).toBe(200);
  });
});
