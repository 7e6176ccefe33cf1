// @ts-check
/**
 * Real processes: the built server and CLI (dist/, built once per run by test/rings.ts or
 * `npm run test:process`) started, stopped, cut off from the database, run side by side. Run in
 * band: they measure time and memory of processes that need the machine's cores.
 */
const { ringConfig } = require('./common');

module.exports = ringConfig({
  displayName: 'process',
  roots: ['<rootDir>/test/process'],
  testMatch: ['**/*.process-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  maxWorkers: 1,
});
