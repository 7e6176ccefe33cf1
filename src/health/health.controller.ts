import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { EXAMPLE_HEALTH_DOWN, EXAMPLE_HEALTH_UP, HEALTH_SCHEMA } from '../grid-api/api-examples';
import { HealthIndicators } from './health-indicators';

const DESCRIPTION =
  '200 when the database answers a `SELECT 1` within a second (time the event loop spent ' +
  'blocked does not count against it), every migration is applied to it, its storage has ' +
  'room to write, and the process is not shutting down; 503 otherwise, naming what is down.';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicators,
  ) {}

  /** For the platform: route traffic here or not, restart or not. */
  // The schema/example form (not `content`): it replaces the schema @HealthCheck() documents.
  @ApiOperation({ summary: 'Health check for the platform', description: DESCRIPTION })
  @ApiResponse({
    status: 200,
    description: 'The app, its database and its storage are up',
    schema: HEALTH_SCHEMA,
    example: EXAMPLE_HEALTH_UP,
  })
  @ApiResponse({
    status: 503,
    description:
      'Something is down: `database` (it did not answer; the app recovers by itself when it is ' +
      'back), `schema` (migrations not applied: the message says how to apply them), `storage` (the disk is full: someone must free space) or `process` (shutting ' +
      'down, or failed and about to exit)',
    schema: HEALTH_SCHEMA,
    example: EXAMPLE_HEALTH_DOWN,
  })
  @Get()
  @HealthCheck()
  @Header('Cache-Control', 'no-store')
  check() {
    const database = this.indicators.database('database', 1000);
    return this.health.check([
      () => database,
      () => this.indicators.schema('schema', 1000),
      () => this.indicators.storageRoom('storage'),
      // Once the database has answered: a drain that began meanwhile counts.
      async () => {
        await database;
        return this.indicators.serving('process');
      },
    ]);
  }
}
