// @ts-check
/**
 * One pass through the build on the machine's Node (CI: Node 20, which the README still
 * promises): import, boot, post, read. The other rings run on Node 24, what Heroku builds with.
 */
const { ringConfig } = require('./common');

module.exports = ringConfig({
  displayName: 'smoke',
  roots: ['<rootDir>/test/smoke'],
  testMatch: ['**/*.smoke-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  maxWorkers: 1,
});
