import { Controller, Get, Header } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  /** 200 when the database answers a `SELECT 1` within a second, 503 otherwise. */
  @Get()
  @HealthCheck()
  @Header('Cache-Control', 'no-store')
  check() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 1000 })]);
  }
}
