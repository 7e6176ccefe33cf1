// @ts-check
/**
 * Modules against a real database (repositories, the legacy writer, moderation, migrations, the
 * import service): the ring that runs on both databases, the server (TEST_DATABASE_URL) and the
 * embedded one. Each worker gets a database of its own (test/support/test-database.ts).
 */
const { ringConfig } = require('./common');

module.exports = ringConfig({
  displayName: 'integration',
  roots: ['<rootDir>/src', '<rootDir>/test/integration'],
  testMatch: ['**/*.int-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
});
