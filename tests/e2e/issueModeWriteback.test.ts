// Issue mode (a plain project) with the write-back table, through the real CLI: the issue API's
// create answer has only the key, so the pull in the same run fills in each row's status and
// times; the row has no portal link (no service desk), and a later transition is pulled by the
// next run.
import { beforeEach, describe, expect, it } from 'vitest';
import { insertSubmissions } from '../support/db.js';
import { useCliHarness } from '../support/harness.js';
import { ISSUE_MODE, issueRow } from '../support/issueMode.js';
import { pullState, sourceDigest, tableRows } from '../support/writeback.js';

const clock = { now: Date.parse('2026-11-30T10:00:00Z') };
const h = useCliHarness({ fake: { now: () => clock.now } });
beforeEach(async () => {
  await h.db.client.query('DROP TABLE IF EXISTS jira_sync_requests');
});
const advance = (minutes: number) => void (clock.now += minutes * 60_000);
const ENV = { ...ISSUE_MODE, WRITEBACK_TABLE: 'jira_sync_requests' };
const cli = (args: string[]) => h.cli(args, ENV);

describe('issue mode with WRITEBACK_TABLE', () => {
  it('fills each row in the run that created it, with no portal link, and follows a transition in the next run', async () => {
    await insertSubmissions(h.db.client, Array.from({ length: 3 }, (_, i) => issueRow(i)));
    const mapped = await cli(['map-fields']);
    expect(mapped.code, mapped.stderr).toBe(0);
    const source = await sourceDigest(h.db.client);

    const first = await cli(['run']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('created 3, skipped 0, failed 0');
    // No row has a time to search from yet: the pull reads the three by key, in one search.
    expect(h.jira.requests.filter((q) => q.path.includes('/search')).map((q) => String((q.body as { jql?: string }).jql))).toEqual([expect.stringMatching(/^key in \(/)]);
    const keys = h.jira.issues.map((i) => i.key);
    expect(keys).toHaveLength(3);
    let rows = await tableRows(h.db.client);
    expect(rows.map((r) => r.ticket_key).sort()).toEqual([...keys].sort());
    const ids = (await h.db.client.query<{ id: string }>('SELECT id::text AS id FROM webform_submissions ORDER BY id')).rows.map((r) => r.id);
    expect(rows.map((r) => r.source_id).sort()).toEqual([...ids].sort());
    const createdAt = new Date(clock.now).toISOString();
    for (const row of rows) {
      expect(row.ticket_key).toMatch(/^ITS-\d+$/);
      // The create answer had none of these: the pull in the same run filled them in.
      expect(row).toMatchObject({
        status: 'To Do',
        status_category: 'new',
        resolution: null,
        portal_url: null,
        ticket_url: `${h.jira.url}/browse/${row.ticket_key}`,
        jira_created_at: createdAt,
        jira_updated_at: createdAt,
        resolved_at: null,
        deleted_at: null,
      });
    }
    expect(pullState(h.ws.trackerPath)?.checkpoint).toBe(createdAt);

    const [a, b] = keys as [string, string];
    advance(3);
    h.jira.transition(a, 'In Progress');
    let before = h.jira.requests.length;
    let r = await cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pull: 1 row changed, 2 Jira calls/);
    // Nothing new to create: the account's time zone and one search, nothing else.
    expect(h.jira.requests.slice(before).map((q) => `${q.method} ${q.path}`)).toEqual(['GET /rest/api/3/myself', 'POST /rest/api/3/search/jql']);
    rows = await tableRows(h.db.client);
    expect(rows.find((x) => x.ticket_key === a)).toMatchObject({ status: 'In Progress', status_category: 'indeterminate', jira_updated_at: new Date(clock.now).toISOString(), portal_url: null });
    expect(rows.filter((x) => x.ticket_key !== a).every((x) => x.status === 'To Do')).toBe(true);

    advance(3);
    h.jira.resolve(b, 'Done', 'Done');
    before = h.jira.requests.length;
    r = await cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    expect(h.jira.requests.slice(before).filter((q) => q.path.includes('/search'))).toHaveLength(1);
    rows = await tableRows(h.db.client);
    expect(rows.find((x) => x.ticket_key === b)).toMatchObject({ status: 'Done', status_category: 'done', resolution: 'Done', resolved_at: new Date(clock.now).toISOString() });
    expect(rows.find((x) => x.ticket_key === a)?.status).toBe('In Progress');
    expect(await sourceDigest(h.db.client)).toBe(source);
  });
});
