import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createBootLogger, PinoNestLogger } from '../common/logging';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './database-options';

// The release phase's output is the app's log: the same lines (JSON in production, never
// colour codes off a terminal), not Nest's default console format.
Logger.overrideLogger(new PinoNestLogger(createBootLogger(process.env)));

// Entry point for the TypeORM CLI (`npm run migration:run`), built from the same options as
// the app. The embedded database migrates itself at start, so the CLI needs a server URL.
const config = AppConfig.fromEnv();
if (config.database.kind !== 'server') {
  throw new Error(
    'DATABASE_URL is not set: migration:run applies migrations to a Postgres server. ' +
      'The embedded database applies its migrations by itself when the app starts.',
  );
}

export default new DataSource(
  buildDataSourceOptions(config, { url: config.database.url, embedded: false }),
);
