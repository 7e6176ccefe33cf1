// @ts-check
/** The HTTP contract through the production app (AppModule.forRoot + configureApp), in process. */
const { ringConfig } = require('./common');

module.exports = ringConfig({
  displayName: 'e2e',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
});
