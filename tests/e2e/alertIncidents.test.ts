// An incident is open while its cause exists, read from the tracker, not while the last run's
// exit code says so. A failed submission waits 15 minutes before its next attempt; the runs in
// between skip it and exit 0, and must not announce "RESOLVED" while it is still failing.
import { describe, expect, it } from 'vitest';
import { useCliHarness, webhookReceiver, trackerRows } from '../support/harness.js';

const h = useCliHarness();
const SIXTEEN_MINUTES = String(16 * 60_000);

describe('the "submissions are failing" incident', () => {
  it('opens once at the failure, stays open through runs that skip the failed submission, and resolves once when it is created', async () => {
    const hook = await webhookReceiver();
    try {
      await h.seed(2);
      expect((await h.cli(['map-fields'])).code).toBe(0);
      const env = { ALERT_WEBHOOK_URL: hook.url };
      h.jira.injectFault({
        match: { method: 'POST', path: '/rest/servicedeskapi/request' },
        times: 1,
        kind: 'status',
        status: 400,
        body: { errorMessage: 'Department: the value is not offered by this service desk' },
      });
      const failing = await h.cli(['run', '--concurrency', '1'], env);
      expect(failing.code, failing.stderr).toBe(1);
      expect(trackerRows(h.ws).map((r) => r.state).sort()).toEqual(['done', 'failed']);
      expect(hook.posts).toHaveLength(1);
      expect(hook.posts[0]?.text).toContain('PROBLEM: Submissions are failing');

      // Inside the backoff window: the failed one is not due, nothing fails, exit 0. A new row
      // that goes through does not make the failing one go away either.
      expect((await h.cli(['run'], env)).code).toBe(0);
      await h.seed(1);
      const meanwhile = await h.cli(['run'], env);
      expect(meanwhile.code, meanwhile.stderr).toBe(0);
      expect(meanwhile.stderr).toContain('created 1');
      expect(trackerRows(h.ws).filter((r) => r.state === 'failed')).toHaveLength(1);
      expect(hook.posts.map((p) => p.text?.split('\n')[0])).toHaveLength(1);

      // After the backoff the retry goes through: the cause is gone, one RESOLVED.
      const fixed = await h.cli(['run'], { ...env, JIRA_SYNC_CLOCK_OFFSET_MS: SIXTEEN_MINUTES });
      expect(fixed.code, fixed.stderr).toBe(0);
      expect(trackerRows(h.ws).every((r) => r.state === 'done')).toBe(true);
      expect(hook.posts).toHaveLength(2);
      expect(hook.posts[1]?.text).toContain('RESOLVED: Submissions are failing');

      expect((await h.cli(['run'], { ...env, JIRA_SYNC_CLOCK_OFFSET_MS: SIXTEEN_MINUTES })).code).toBe(0);
      expect(hook.posts).toHaveLength(2);
    } finally {
      await hook.close();
    }
  });
});
