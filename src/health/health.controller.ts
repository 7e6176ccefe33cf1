import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { EXAMPLE_HEALTH_DOWN, EXAMPLE_HEALTH_UP, HEALTH_SCHEMA } from '../api-docs/api-examples';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  /** 200 when the database answers a `SELECT 1` within a second, 503 otherwise. */
  // The schema/example form (not `content`): it replaces the schema @HealthCheck() documents.
  @ApiOperation({
    summary: 'Health check for the platform',
    description: '200 when the database answers a `SELECT 1` within a second, 503 otherwise.',
  })
  @ApiResponse({
    status: 200,
    description: 'The app and its database are up',
    schema: HEALTH_SCHEMA,
    example: EXAMPLE_HEALTH_UP,
  })
  @ApiResponse({
    status: 503,
    description: 'The database did not answer; the app recovers by itself when it is back',
    headers: { 'Retry-After': { schema: { type: 'integer', example: 5 } } },
    schema: HEALTH_SCHEMA,
    example: EXAMPLE_HEALTH_DOWN,
  })
  @Get()
  @HealthCheck()
  @Header('Cache-Control', 'no-store')
  check() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 1000 })]);
  }
}
