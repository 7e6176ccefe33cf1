// @ts-check
/** Pure code next to its source: no database, network or child process, so no global setup. */
const { ringConfig } = require('./common');

module.exports = ringConfig({
  displayName: 'unit',
  roots: ['<rootDir>/src', '<rootDir>/client'],
  testMatch: ['**/*.spec.ts'],
});
