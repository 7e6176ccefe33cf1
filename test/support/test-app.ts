import type { ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { LifecycleModule } from '../../src/common/lifecycle.module';
import { LoggingModule } from '../../src/common/logging.module';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import type { AppConfig } from '../../src/config/app-config';
import { configureApp, NEST_APP_OPTIONS } from '../../src/configure-app';
import { testConfig } from './test-config';

export interface TestApp {
  app: NestExpressApplication;
  /** http://127.0.0.1:<port> of the listening app. */
  baseUrl: string;
  dataSource: DataSource;
  close(): Promise<void>;
}

/** The production app (same module, same configureApp), listening on an ephemeral port. */
export async function startTestApp(config: AppConfig = testConfig()): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(NEST_APP_OPTIONS);
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    dataSource: app.get(DataSource),
    close: () => app.close(),
  };
}

export interface TestModule {
  module: TestingModule;
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Feature modules on the app's configuration and database, without HTTP: for specs of a module's
 * services against the real database (the same as startTestApp's).
 */
export async function startTestModule(
  imports: NonNullable<ModuleMetadata['imports']>,
  config: AppConfig = testConfig(),
): Promise<TestModule> {
  const module = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      LoggingModule.forRoot(),
      LifecycleModule,
      DatabaseModule.forRoot(),
      ...imports,
    ],
  }).compile();
  await module.init();
  return { module, dataSource: module.get(DataSource), close: () => module.close() };
}

/**
 * The production app for the enclosing `describe`: started before its first test, closed after
 * its last. `config` is read when the app starts (a fresh embedded database each time).
 */
export function useTestApp(config?: () => AppConfig): TestApp {
  let started: TestApp | undefined;
  const current = (): TestApp => {
    if (!started) throw new Error('the test app is used before its beforeAll has started it');
    return started;
  };
  beforeAll(async () => {
    started = await startTestApp(config?.());
  });
  afterAll(() => started?.close());
  return {
    get app() {
      return current().app;
    },
    get baseUrl() {
      return current().baseUrl;
    },
    get dataSource() {
      return current().dataSource;
    },
    close: () => current().close(),
  };
}
