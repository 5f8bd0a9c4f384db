// Two "hosts": two working folders that share nothing on disk (own .env values, mapping, logs)
// and one PostgreSQL tracker. Runs start on both at nearly the same moment, round after round,
// with lost create answers, 503s, 429s (Retry-After, from an injected answer and from the fake's
// own rate limit) and kill -9 of either host: every row still ends as exactly one ticket with
// exactly one attachment, and a run that meets the other's lock exits 4.
import { describe, expect, it } from 'vitest';
import { startCli, makeWorkspace, type CliResult, type Workspace } from '../support/cli.js';
import { rateLimitHeaders } from '../support/fakeJira/faults.js';
import { useCliHarness } from '../support/harness.js';

const h = useCliHarness({ fake: { latencyMs: 30 } });
const CREATE = { method: 'POST', path: '/rest/servicedeskapi/request' };
const UPLOAD = { method: 'POST', path: '/rest/servicedeskapi/servicedesk/1/attachTemporaryFile' };
/** Jira's rate-limit answer: 429 with Retry-After (1 s, so the test stays short) and the X-RateLimit headers. */
const RATE_LIMITED = { kind: 'status', status: 429, headers: rateLimitHeaders(1, 10), body: { errorMessages: ['Rate limit exceeded.'] } } as const;
const ROWS = 12;

describe('two hosts, one PostgreSQL tracker', () => {
  it('every row becomes exactly one ticket with one attachment; lock refusals exit 4', async () => {
    await h.seed(ROWS);
    const extra = { TRACKER_DATABASE_URL: h.db.url, TRACKER_SCHEMA: 'jira_sync', RECOVERY_GRACE_MINUTES: '0', BATCH_SIZE: '4', LOG_LEVEL: 'warn' };
    const hosts: Workspace[] = [0, 1].map(() => makeWorkspace({ databaseUrl: h.db.url, jiraUrl: h.jira.url, extra }));
    try {
      for (const ws of hosts) {
        const m = startCli(['map-fields'], { env: ws.env });
        expect((await m.done).code).toBe(0);
      }
      const codes: number[] = [];
      let killed = 0;
      for (let round = 0; round < 8; round++) {
        if (round % 3 === 1) h.jira.injectFault({ match: CREATE, kind: 'status-after-effect', status: 504, body: 'Gateway Timeout' });
        if (round % 3 === 2) h.jira.injectFault({ match: CREATE, kind: 'status', status: 503, body: { errorMessage: 'Service unavailable' } });
        // 429s while there is still work: on a create (nothing made: retried after the pause), on
        // an upload before an attach, and one round under the fake's own token bucket (6 req/s,
        // less than a run's first burst), whose 429s come whenever the pace is too high.
        if (round === 0 || round === 3) h.jira.injectFault({ match: CREATE, ...RATE_LIMITED });
        if (round === 1) h.jira.injectFault({ match: UPLOAD, ...RATE_LIMITED });
        h.jira.setRateLimit(round === 2 ? 6 : undefined);
        const runs = hosts.map((ws) => startCli(['run'], { env: ws.env }));
        // Every other round, one host dies mid-run.
        if (round % 2 === 1) setTimeout(() => runs[round % 4 === 1 ? 0 : 1]!.child.kill('SIGKILL'), 150 + round * 20);
        const results: CliResult[] = await Promise.all(runs.map((r) => r.done));
        for (const r of results) {
          if (r.signal === 'SIGKILL') killed += 1;
          else codes.push(r.code ?? -1);
        }
      }
      h.jira.setRateLimit(undefined);
      const limited = h.jira.requests.filter((r) => r.status === 429);
      expect(limited.filter((r) => r.fault === 'status').length).toBeGreaterThan(0);
      expect(limited.filter((r) => r.fault === undefined).length).toBeGreaterThan(0);
      // Settle: runs one after the other until nothing is left.
      for (let i = 0; i < 6; i++) {
        const r = await startCli(['run'], { env: hosts[i % 2]!.env }).done;
        codes.push(r.code ?? -1);
      }
      expect(codes.every((c) => [0, 1, 3, 4].includes(c)), codes.join(',')).toBe(true);
      expect(codes).toContain(4);
      expect(killed).toBeGreaterThan(0);
      const states = (await h.db.client.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM jira_sync.submissions GROUP BY state')).rows;
      expect(states).toEqual([{ state: 'done', n: ROWS }]);
      expect(h.jira.issues).toHaveLength(ROWS);
      const files = h.jira.issues.map((i) => {
        expect(i.attachments, i.key).toHaveLength(1);
        return i.attachments[0]!.filename;
      });
      expect(new Set(files).size).toBe(ROWS);
    } finally {
      for (const ws of hosts) ws.cleanup();
    }
  });
});
