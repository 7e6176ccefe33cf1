// @ts-check
/** Pages in Chromium (test/support/browser.ts picks which), one run. */
const { ringConfig } = require('./common');

module.exports = ringConfig({
  displayName: 'browser',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.browser-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  maxWorkers: 1,
});
