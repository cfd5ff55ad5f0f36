// Mutation testing of the functional core (src/core) against its own tests (test/core): how many small
// changes to the code the tests notice. `npm run mutation`; the score is recorded in bench/RESULTS.md. The
// incremental file (under bench/mutation/out, not in git) lets a later run on the same machine retest only the
// mutants of code or tests changed since.
//
// MUTATE=src/core/x.ts narrows a run to one file, with its own incremental file and report, so the core can be
// tested a file at a time (`bash bench/mutation/by-file.sh`) and `node bench/mutation/score.mjs` sums the reports.
const only = process.env.MUTATE;
const name = only ? only.replace(/^src\/core\//, '').replace(/\.ts$/, '').replaceAll('/', '-') : 'core';

export default {
  testRunner: 'tap',
  // Each mutated sandbox is bundled first (bench/mutation/bundle.mjs): five times faster than tsx per test file.
  buildCommand: 'node bench/mutation/bundle.mjs',
  tap: {
    testFiles: ['.mutation-build/*.test.mjs'],
    // Stryker's hook first: it reports which tests cover which mutant.
    nodeArgs: ['-r', '{{hookFile}}', '{{testFile}}'],
  },
  mutate: only ? [only] : ['src/core/**/*.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20_000,
  incremental: true,
  incrementalFile: `bench/mutation/out/${name}.incremental.json`,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `bench/mutation/out/${name}.json` },
  // The sandbox is a copy of the project: leave out what the core's tests never read.
  ignorePatterns: ['/web', '/data', '/dist', '/bench/out', '/bench/mutation/out', '/test/web/screenshots', '/.stryker-tmp', '/.mutation-build'],
  // Stryker rewrites the sandbox's tsconfig through TypeScript's JavaScript API, which TypeScript 7 no
  // longer has; tsx needs no rewrite, so point it at no file and the step is skipped.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
