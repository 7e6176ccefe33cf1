import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
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
