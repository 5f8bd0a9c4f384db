// The tests mutation testing runs (npm run test:mutation, stryker.config.mjs): the fast ones that
// exercise the mutated modules in-process. Tests that start the CLI or another Node.js process are
// left out: a mutant lives only in the process Stryker instruments, and they would slow every run.
import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Not mergeConfig: it would append to the base's include (every test) instead of replacing it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'tests/unit/**/*.test.ts',
      // PostgreSQL-backed, in-process: the fetch, the cursor order, the unique key of real rows,
      // and Jira errors as jira.js really throws them.
      'tests/integration/fetchSubmissions.test.ts',
      'tests/integration/fetchPlan.test.ts',
      'tests/integration/timestampOrder.test.ts',
      'tests/integration/auditSource.test.ts',
      'tests/integration/customers.test.ts',
      // The tracker's state machine on both stores, the claim race, and the recovery grace period
      // through a whole run in-process.
      'tests/integration/stateMachine.test.ts',
      'tests/integration/trackerContract.test.ts',
      'tests/integration/claimRace.test.ts',
      'tests/integration/recoveryGrace.test.ts',
      'tests/integration/trackerSelectors.test.ts',
      'tests/integration/trackerRecords.test.ts',
    ],
    exclude: [
      ...configDefaults.exclude,
      // Start a child process (the stand-alone fake Jira, a logging script).
      'tests/unit/fakeJira.test.ts',
      'tests/unit/logging.test.ts',
      // Test the fake Jira itself, none of the mutated modules.
      'tests/unit/fakeJiraIssues.test.ts',
      'tests/unit/fakeJiraProject.test.ts',
    ],
  },
});
