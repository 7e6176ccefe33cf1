import { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import { TcpProxy } from './tcp-proxy';
import { freshEmbeddedDataDir, usingServer } from './test-config';
import { serverDatabaseUrl } from './test-database';

/**
 * The test database (the local server, or a PGlite this test process runs) behind a proxy the
 * test can cut or slow down. `env` points an app at it.
 */
export interface ProxiedDatabase {
  proxy: TcpProxy;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startProxiedDatabase(): Promise<ProxiedDatabase> {
  let embedded: EmbeddedPostgres | undefined;
  let target: URL;
  if (usingServer) {
    target = new URL(serverDatabaseUrl());
  } else {
    embedded = new EmbeddedPostgres(freshEmbeddedDataDir());
    target = new URL(await embedded.start());
  }
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.start();
  const viaProxy = new URL(target.toString());
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  return {
    proxy,
    env: {
      DATABASE_URL: viaProxy.toString(),
      DATABASE_SSL: 'false',
      // PGlite serves one connection at a time.
      DATABASE_POOL_MAX: usingServer ? '4' : '1',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
    },
    stop: async () => {
      proxy.thaw();
      proxy.release();
      await proxy.stop();
      await embedded?.stop();
    },
  };
}
