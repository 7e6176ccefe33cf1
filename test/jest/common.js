// @ts-check
/**
 * What every ring's jest config shares. Each ring is its own config (immich keeps one per ring
 * too): its own files, its own global setup, its own parallelism. `npm test` runs them in turn
 * (test/rings.ts); `npm run test:<ring>` runs one.
 */
const { join } = require('node:path');

const rootDir = join(__dirname, '..', '..');

/** @param {Partial<import('jest').Config>} ring */
function ringConfig(ring) {
  return {
    rootDir,
    testEnvironment: 'node',
    transform: {
      '^.+\\.ts$': 'ts-jest',
      '^.+\\.py$': join(__dirname, 'text-transform.js'),
    },
    // jest's defaults, plus the playground's Python sources (loaded as text).
    moduleFileExtensions: ['js', 'mjs', 'cjs', 'jsx', 'ts', 'tsx', 'json', 'node', 'py'],
    // Not the temp folder: a test run leaves nothing there (CI checks).
    cacheDirectory: join(rootDir, 'node_modules', '.cache', 'jest'),
    testTimeout: 60_000,
    ...ring,
  };
}

module.exports = { ringConfig, rootDir };
