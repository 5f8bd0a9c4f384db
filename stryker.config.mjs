// Mutation testing of the core modules whose small slips would not show in a run but would
// send the wrong thing to Jira, or send it twice: the tracker's state machine (both stores) and
// its retry schedule, what a Jira error means and the recovery of a lost create, the fetch and
// its cursor, the unique key, the Postgres values and the cursor order, the value conversions,
// and the Jira retry decisions and error classification. Every mutant (a planted small bug) that
// the tests do not catch is listed in the report; docs/testing.md keeps the score and the
// survivors judged harmless. Run: npm run test:mutation (needs TEST_DATABASE_URL or Docker,
// like the integration tests; docs/testing.md has the time it takes).

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  // The fast in-process tests only (no CLI child process): see that file.
  vitest: { configFile: 'vitest.mutation.config.ts' },
  // Mutants that do not compile are dropped before any test runs.
  checkers: ['typescript'],
  // The sources only: the tests and scripts are never mutated, and leaving them out of the
  // checker's program nearly halves its memory and its work per mutant.
  tsconfigFile: 'tsconfig.build.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // Each mutant runs only the tests that reached its code in the first (dry) run.
  coverageAnalysis: 'perTest',
  // Mutants of module-level constants (lookup tables, regular expressions built once) cannot be
  // traced to the tests that use them, so each would run every test, the PostgreSQL ones
  // included: half the run's time for a tenth of the mutants. They are left out of the score.
  ignoreStatic: true,
  mutate: [
    'src/steps/uniqueKey.ts',
    'src/adapters/postgres/values.ts',
    'src/adapters/postgres/order.ts',
    'src/mapping/convert*.ts',
    'src/adapters/jira/retry.ts',
    'src/adapters/jira/errors.ts',
    // The tracker and its state machine (both stores) and the retry schedule.
    'src/adapters/tracker/sqliteSubmissions.ts',
    'src/adapters/tracker/tracker.ts',
    'src/adapters/tracker/retrySchedule.ts',
    'src/adapters/tracker/submission.ts',
    'src/adapters/tracker/requeue.ts',
    'src/adapters/tracker/postgres/submissions.ts',
    // The decisions: what a Jira error means, the marker search and the grace period, the steps.
    'src/decide.ts',
    'src/steps/createTicket.ts',
    'src/processSubmission.ts',
    // The fetch and its cursor.
    'src/steps/fetchSubmissions.ts',
    'src/adapters/postgres/source.ts',
  ],
  // Anchored: a bare 'tracker' would also drop src/adapters/tracker from the sandbox.
  ignorePatterns: ['/dist', '/logs', '/tracker', '/reports', '/coverage'],
  // The machine has 2 cores; a mutant that loops is stopped after this.
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // The aim is 80% (docs/testing.md); a lower score is reported, not failed.
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
