import { DataSource, MigrationExecutor } from 'typeorm';

/**
 * What keeps the schema from being the one this build's code expects, or undefined when every
 * migration the build has is applied. Read-only: TypeORM's showMigrations() would create its
 * migrations table, and /health must not write.
 */
export async function schemaProblem(dataSource: DataSource): Promise<string | undefined> {
  if (dataSource.migrations.length === 0) {
    // What `nest start --watch` used to run: a build whose migrations were compiled apart.
    const where = JSON.stringify(dataSource.options.migrations);
    return `no migrations found (${where}): this build is incomplete, run \`npm run build\``;
  }
  const pending = await new MigrationExecutor(dataSource).getPendingMigrations();
  if (pending.length === 0) return undefined;
  const fix = dataSource.options.migrationsRun
    ? 'restart the app, which applies them at start'
    : 'run `npm run migration:run` (on Heroku the release phase runs it)';
  const names = pending.map((migration) => migration.name).join(', ');
  const count = `${pending.length} migration${pending.length === 1 ? '' : 's'}`;
  return `${count} not applied (${names}): ${fix}`;
}
