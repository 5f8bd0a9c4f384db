// Named fail points for the crash-safety tests: the process kills itself (SIGKILL, no
// clean-up, exactly like a power cut or `kill -9`) at a chosen instant. Inert unless
// JIRA_SYNC_FAILPOINT names the point; optionally only on its Nth hit (JIRA_SYNC_FAILPOINT_HIT).
export const FAIL_POINTS = [
  'after-claim', // 1. claim committed, create not sent
  'after-create-sent', // 2. create request written to the socket, response not read
  'after-create-response', // 3. response read, `created` not committed
  'after-created', // 4. `created` committed, the file perhaps uploaded (it is, during that commit), not attached
  'after-attach', // 5. attachment made, nothing about it committed
  // (There is no point between `attached` and `done`: both are one commit, markAttachedAndDone.)
  'after-done', // 6. `attached` and `done` committed, the run's progress not yet recorded by the orchestrator
] as const;
export type FailPoint = (typeof FAIL_POINTS)[number];

let hits = 0;

export function failpoint(name: FailPoint): void {
  if (process.env.JIRA_SYNC_FAILPOINT !== name) return;
  hits += 1;
  if (hits < Number(process.env.JIRA_SYNC_FAILPOINT_HIT ?? '1')) return;
  process.kill(process.pid, 'SIGKILL');
}
