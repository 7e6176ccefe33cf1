/**
 * `npm test`: every ring of the suite, one after the other, each with its own jest config
 * (test/jest/): unit, integration, e2e, process, browser. `npm run test:<ring>` runs one, and any
 * argument that is not a ring's name goes to jest (a file pattern, `-t name`). Each ring ends with
 * its own `<ring>: N passed, N failed` line and its wall time; the exit status is 1 when any ring
 * failed. `--coverage` collects each ring's coverage of src/ and merges them into coverage/.
 *
 * On the embedded database unless TEST_DATABASE_URL names a Postgres server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import libCoverage from 'istanbul-lib-coverage';
import libReport from 'istanbul-lib-report';
import reports from 'istanbul-reports';

const ROOT = join(__dirname, '..');
const RINGS = ['unit', 'integration', 'e2e', 'process', 'browser', 'smoke'] as const;
type Ring = (typeof RINGS)[number];
/** What `npm test` runs: all but the smoke ring, which the others cover (CI runs it on Node 20). */
const ALL: Ring[] = ['unit', 'integration', 'e2e', 'process', 'browser'];
/** Rings whose specs may start the built server or CLI: dist/ must match src/. */
const NEEDS_BUILD: Ring[] = ['integration', 'e2e', 'process', 'browser', 'smoke'];
const RESULTS = join(ROOT, 'node_modules', '.cache', 'test-rings');

interface JestSummary {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numRuntimeErrorTestSuites: number;
  success: boolean;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isOlderThan(file: string, dirs: string[]): boolean {
  if (!existsSync(file)) return true;
  const mtime = statSync(file).mtimeMs;
  return dirs.some((dir) => mtime < newestMtime(join(ROOT, dir)));
}

function runBuildStep(what: string, args: string[]): void {
  const build = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`${what} failed`);
}

/**
 * `npm run build`'s two steps, each unless what it makes is newer than what it is made from:
 * `nest build` (dist/ from src/), then the playground's browser files (dist/client/ from client/
 * and src/playground/; `nest build` clears dist/, so they follow it every time).
 */
function buildIfStale(): void {
  const serverStale = isOlderThan(join(ROOT, 'dist', 'main.js'), ['src']);
  if (serverStale) {
    console.log('== build (dist/ is older than src/)');
    runBuildStep('nest build', [
      join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'),
      'build',
    ]);
  }
  const manifest = join(ROOT, 'dist', 'client', 'manifest.json');
  if (serverStale || isOlderThan(manifest, ['client', join('src', 'playground')])) {
    console.log('== playground assets (dist/client/ is older than client/)');
    runBuildStep('the playground assets build', [
      join(ROOT, 'dist', 'playground', 'build-assets.js'),
    ]);
  }
}

function runRing(ring: Ring, jestArgs: string[], coverage: boolean): JestSummary | undefined {
  mkdirSync(RESULTS, { recursive: true });
  const output = join(RESULTS, `${ring}.json`);
  rmSync(output, { force: true });
  const args = [
    // PGlite is loaded with import(): jest's module sandbox needs the VM modules API for it.
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
    '-c',
    join('test', 'jest', `${ring}.config.js`),
    '--json',
    `--outputFile=${output}`,
    ...(coverage
      ? [
          '--coverage',
          `--coverageDirectory=${join('coverage', 'rings', ring)}`,
          '--coverageReporters=json',
          '--collectCoverageFrom=src/**/*.ts',
          // Each ring sees the other rings' specs as plain source: they are not src/'s code.
          '--collectCoverageFrom=!src/**/*.spec.ts',
          '--collectCoverageFrom=!src/**/*.int-spec.ts',
        ]
      : []),
    ...jestArgs,
  ];
  spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  return existsSync(output) ? (JSON.parse(readFileSync(output, 'utf8')) as JestSummary) : undefined;
}

function mergeCoverage(rings: Ring[]): void {
  const map = libCoverage.createCoverageMap({});
  for (const ring of rings) {
    const file = join(ROOT, 'coverage', 'rings', ring, 'coverage-final.json');
    if (existsSync(file)) {
      map.merge(JSON.parse(readFileSync(file, 'utf8')) as libCoverage.CoverageMapData);
    }
  }
  const context = libReport.createContext({ dir: join(ROOT, 'coverage'), coverageMap: map });
  for (const name of ['text-summary', 'json-summary', 'lcov'] as const) {
    reports.create(name).execute(context);
  }
}

function main(): number {
  const argv = process.argv.slice(2);
  const coverage = argv.includes('--coverage');
  const named = argv.filter((a): a is Ring => (RINGS as readonly string[]).includes(a));
  const jestArgs = argv.filter((a) => a !== '--coverage' && !named.includes(a as Ring));
  const rings = named.length > 0 ? named : ALL;
  if (coverage) rmSync(join(ROOT, 'coverage'), { recursive: true, force: true });
  const lines: string[] = [];
  const total = { passed: 0, failed: 0, skipped: 0 };
  let failed = false;
  const started = performance.now();
  for (const ring of rings) {
    const ringStarted = performance.now();
    if (NEEDS_BUILD.includes(ring)) buildIfStale();
    console.log(`== ring ${ring}`);
    const summary = runRing(ring, jestArgs, coverage);
    const seconds = ((performance.now() - ringStarted) / 1000).toFixed(1);
    if (!summary) {
      failed = true;
      total.failed += 1;
      lines.push(`${ring}: jest wrote no results (see its output above), ${seconds} s`);
      continue;
    }
    const broken = summary.numRuntimeErrorTestSuites;
    failed ||= !summary.success || summary.numFailedTests > 0 || broken > 0;
    total.passed += summary.numPassedTests;
    total.failed += summary.numFailedTests + broken;
    total.skipped += summary.numPendingTests;
    lines.push(
      `${ring}: ${summary.numPassedTests} passed, ${summary.numFailedTests + broken} failed, ` +
        `${summary.numPendingTests} skipped`,
      `${ring} took ${seconds} s${broken ? ` (${broken} suites could not run)` : ''}`,
    );
  }
  if (coverage) mergeCoverage(rings);
  console.log(`\n${lines.join('\n')}`);
  console.log(`all rings took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // Last, alone on its line: the count CI reads.
  console.log(`total: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return failed ? 1 : 0;
}

process.exitCode = main();
