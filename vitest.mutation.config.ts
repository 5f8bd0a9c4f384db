// The tests mutation testing runs (npm run test:mutation, stryker.config.mjs): the fast ones that
// exercise the mutated modules in-process. Tests that start the CLI or another Node.js process are
// left out: a mutant lives only in the process Stryker instruments, and they would slow every run.
// Each mutant runs only the tests that reached its code, in the order below (cheapest and most
// direct first), and stops at the first failure: a mutant is usually killed by a unit test
// before any PostgreSQL or fake-Jira test starts.
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from './vitest.config.js';

const ORDER = [
  'tests/unit/',
  'tests/integration/claimRace.test.ts',
  'tests/integration/trackerRecords.test.ts',
  'tests/integration/trackerSelectors.test.ts',
  'tests/integration/trackerContract.test.ts',
  'tests/integration/recoverTicket.test.ts',
  'tests/integration/stateMachine.test.ts',
  // PostgreSQL-backed, in-process: the fetch, the cursor order, the unique key of real rows,
  // and Jira errors as jira.js really throws them.
  'tests/integration/sourceTable.test.ts',
  'tests/integration/fetchEdges.test.ts',
  'tests/integration/fetchSubmissions.test.ts',
  'tests/integration/fetchPlan.test.ts',
  'tests/integration/timestampOrder.test.ts',
  'tests/integration/auditSource.test.ts',
  'tests/integration/customers.test.ts',
  // A whole run in-process (the recovery grace period): the slowest, so the last.
  'tests/integration/recoveryGrace.test.ts',
];

const rank = (file: string) => {
  const i = ORDER.findIndex((p) => file.includes(p));
  return i === -1 ? ORDER.length : i;
};

/** Runs the files in ORDER, not vitest's default (slowest first), so a mutant fails fast. */
class CheapestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId));
  }
}

// Not mergeConfig: it would append to the base's include (every test) instead of replacing it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ORDER.map((p) => (p.endsWith('/') ? `${p}**/*.test.ts` : p)),
    exclude: [
      ...configDefaults.exclude,
      // Start a child process (the stand-alone fake Jira, a logging script).
      'tests/unit/fakeJira.test.ts',
      'tests/unit/logging.test.ts',
      // Test the fake Jira itself, none of the mutated modules.
      'tests/unit/fakeJiraIssues.test.ts',
      'tests/unit/fakeJiraProject.test.ts',
    ],
    sequence: { ...base.test?.sequence, sequencer: CheapestFirst },
    // The state machine table runs on SQLite only here: the PostgreSQL store's transitions have
    // their own tests above (contract, records, selectors), and the table twice doubled its time.
    env: { ...base.test?.env, STATE_MACHINE_STORES: 'sqlite' },
  },
});
