import { Controller, Get, Header } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ApiHealthCheck, ApiHealthTags } from './health.docs';
import { HealthIndicators } from './health-indicators';

@ApiHealthTags()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicators,
  ) {}

  /** For the platform: route traffic here or not, restart or not. */
  @ApiHealthCheck()
  @Get()
  @HealthCheck()
  @Header('Cache-Control', 'no-store')
  check() {
    const database = this.indicators.database(1000);
    return this.health.check([
      () => database,
      () => this.indicators.storageRoom('storage'),
      // Once the database has answered: a drain that began meanwhile counts.
      async () => {
        await database;
        return this.indicators.serving('process');
      },
    ]);
  }
}
