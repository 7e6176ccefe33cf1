import { DynamicModule, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { LegacyImportModule } from '../../src/legacy-import/legacy-import.module';
import { LegacyImportService } from '../../src/legacy-import/legacy-import.service';
import type { TestApp } from './test-app';

/** Lends the test app's database and config to the import module, as the CLI's modules would. */
@Module({})
class SharedWith {
  static app(t: TestApp): DynamicModule {
    return {
      module: SharedWith,
      global: true,
      providers: [
        { provide: DataSource, useValue: t.dataSource },
        { provide: AppConfig, useValue: t.app.get<AppConfig>(AppConfig) },
      ],
      exports: [DataSource, AppConfig],
    };
  }
}

/** The import service the CLI runs, on the test app's database. */
export async function legacyImporter(t: TestApp): Promise<LegacyImportService> {
  const moduleRef = await Test.createTestingModule({
    imports: [SharedWith.app(t), LegacyImportModule],
  }).compile();
  return moduleRef.get(LegacyImportService);
}
