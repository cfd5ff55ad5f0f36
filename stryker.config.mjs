// Mutation testing of the functional core (src/core) against its own tests (test/core): how many small
// changes to the code the tests notice. `npm run mutation`; the score is recorded in bench/RESULTS.md. The
// incremental file (under bench/mutation/out, not in git) lets a later run on the same machine retest only the
// mutants of code or tests changed since.
export default {
  testRunner: 'tap',
  tap: {
    testFiles: ['test/core/**/*.test.ts'],
    // Stryker's hook first (it reports which tests cover which mutant), then TypeScript through tsx.
    nodeArgs: ['-r', '{{hookFile}}', '--import', 'tsx', '{{testFile}}'],
  },
  mutate: ['src/core/**/*.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20_000,
  incremental: true,
  incrementalFile: 'bench/mutation/out/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'bench/mutation/out/mutation.json' },
  // The sandbox is a copy of the project: leave out what the core's tests never read.
  ignorePatterns: ['/web', '/data', '/dist', '/bench/out', '/bench/mutation/out', '/test/web/screenshots', '/.stryker-tmp'],
  // Stryker rewrites the sandbox's tsconfig through TypeScript's JavaScript API, which TypeScript 7 no
  // longer has; tsx needs no rewrite, so point it at no file and the step is skipped.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
