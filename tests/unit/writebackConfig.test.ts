// WRITEBACK_TABLE and PULL_SKEW_MINUTES: off by default, checked as identifiers and numbers, and
// never the source table; every problem named by its variable, all at once.
import { describe, expect, it } from 'vitest';
import { httpDateToIso, jiraTimeToIso, jqlDate, missingKeysIn } from '../../src/adapters/jira/issueChanges.js';
import { mergeSnapshot, type WritebackSnapshot } from '../../src/adapters/tracker/writeback.js';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

const valid = {
  DATABASE_URL: 'postgres://sync@db.example.com:5432/forms',
  JIRA_BASE_URL: 'https://example.atlassian.net',
  JIRA_EMAIL: 'robot@example.com',
  JIRA_API_TOKEN: 'tok-abc',
  JSM_SERVICE_DESK_ID: '1',
  JSM_REQUEST_TYPE_ID: '10',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('write-back configuration', () => {
  it('is off unless WRITEBACK_TABLE is set; the skew defaults to 5 minutes', () => {
    expect(loadConfig(valid)).toMatchObject({ writebackTable: null, pullSkewMinutes: 5 });
    expect(loadConfig({ ...valid, WRITEBACK_TABLE: 'reporting.jira_requests', PULL_SKEW_MINUTES: '15' })).toMatchObject({ writebackTable: 'reporting.jira_requests', pullSkewMinutes: 15 });
  });

  it('names each bad value by its variable, all at once', () => {
    const p = problems({ ...valid, WRITEBACK_TABLE: 'jira requests; drop', PULL_SKEW_MINUTES: '-1' });
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^WRITEBACK_TABLE must be a table name or schema\.table .*"jira requests; drop"/);
    expect(p[1]).toMatch(/^PULL_SKEW_MINUTES must be a whole number from 0 to 1440, got "-1"/);
    expect(problems({ ...valid, WRITEBACK_TABLE: 'a.b.c' })[0]).toMatch(/^WRITEBACK_TABLE must be a table name or schema\.table/);
    // A column is named as a column, not as "a column or table".
    expect(problems({ ...valid, SOURCE_ID_COLUMN: 'my id' })[0]).toMatch(/^SOURCE_ID_COLUMN must be a plain column name \(letters, digits, _\), got "my id"/);
  });

  it('refuses the source table itself', () => {
    expect(problems({ ...valid, WRITEBACK_TABLE: 'webform_submissions' })[0]).toMatch(/^WRITEBACK_TABLE must name a table of its own/);
    expect(problems({ ...valid, SOURCE_TABLE: 'forms.requests', WRITEBACK_TABLE: 'forms.requests' })[0]).toMatch(/^WRITEBACK_TABLE/);
    expect(problems({ ...valid, WRITEBACK_TABLE: 'public.webform_submissions' })[0]).toMatch(/^WRITEBACK_TABLE/);
  });

  it("refuses a table in the PostgreSQL tracker's own schema", () => {
    const pg = { ...valid, TRACKER_DATABASE_URL: 'postgres://u@db/x', TRACKER_SCHEMA: 'sync_a' };
    expect(problems({ ...pg, WRITEBACK_TABLE: 'sync_a.submissions' })).toEqual([
      'WRITEBACK_TABLE must not be in TRACKER_SCHEMA "sync_a": that schema holds the tracker\'s own tables; name a table in another schema',
    ]);
    expect(problems({ ...pg, WRITEBACK_TABLE: 'reporting.requests' })).toEqual([]);
    // With the SQLite tracker, TRACKER_SCHEMA names nothing.
    expect(problems({ ...valid, TRACKER_SCHEMA: 'sync_a', WRITEBACK_TABLE: 'sync_a.requests' })).toEqual([]);
  });
});

describe('Jira times and JQL dates', () => {
  it('reads Jira times with any offset, and writes JQL dates on the account wall clock, rounded down', () => {
    expect(jiraTimeToIso('2026-11-23T05:45:02.123-0330')).toBe('2026-11-23T09:15:02.123Z');
    expect(jiraTimeToIso('2026-11-23T14:45:02.123+0530')).toBe('2026-11-23T09:15:02.123Z');
    expect(jiraTimeToIso(null)).toBeNull();
    // Jira's clock, from an answer's Date header; none, or an unreadable one, is no time at all.
    expect(httpDateToIso('Tue, 01 Dec 2026 07:40:09 GMT')).toBe('2026-12-01T07:40:09.000Z');
    expect(httpDateToIso(undefined)).toBeNull();
    expect(httpDateToIso('soon')).toBeNull();
    const at = Date.parse('2026-12-01T00:05:59.900Z');
    expect(jqlDate(at, 'Etc/UTC')).toBe('2026/12/01 00:05');
    expect(jqlDate(at, 'Asia/Kolkata')).toBe('2026/12/01 05:35');
    expect(jqlDate(at, 'America/St_Johns')).toBe('2026/11/30 20:35');
    expect(jqlDate(at, 'America/Los_Angeles')).toBe('2026/11/30 16:05');
  });

  it('never names a wall-clock time that could be read later than the instant when clocks go back', () => {
    // St. John's goes back from 02:00 NDT (-02:30) to 01:00 NST (-03:30) on 1 November 2026 (04:30 UTC):
    // 01:00 to 02:00 happens twice. Jira may read a literal in that hour either way.
    const readings = (literal: string) => {
      const [, h, m] = /(\d{2}):(\d{2})$/.exec(literal)!.map(Number) as [number, number, number];
      const wall = Date.UTC(2026, 10, 1, h, m);
      return [wall + 150 * 60_000, wall + 210 * 60_000];
    };
    for (const iso of ['2026-11-01T03:45:00Z', '2026-11-01T04:15:00Z', '2026-11-01T04:45:00Z', '2026-11-01T05:15:00Z']) {
      const at = Date.parse(iso);
      const literal = jqlDate(at, 'America/St_Johns');
      expect(literal.startsWith('2026/11/01 '), literal).toBe(true);
      for (const read of readings(literal)) expect(read, `${iso} -> ${literal}`).toBeLessThanOrEqual(at);
    }
    // Far from a change of offset the literal is the wall clock itself.
    expect(jqlDate(Date.parse('2026-11-01T12:00:00Z'), 'America/St_Johns')).toBe('2026/11/01 08:30');
  });

  it('finds the keys a refused key-in query names', () => {
    expect(missingKeysIn("An issue with key 'cp-7' does not exist for field 'key'.")).toEqual(['CP-7']);
    expect(missingKeysIn('Field does not exist')).toEqual([]);
  });
});

describe('mergeSnapshot', () => {
  const base: WritebackSnapshot = {
    sourceId: '1', submissionKey: 'k', ticketKey: 'CP-1', ticketUrl: 'u', portalUrl: 'p', status: 'Open', statusCategory: 'new', resolution: null,
    jiraCreatedAt: '2026-11-01T00:00:00.000Z', jiraUpdatedAt: '2026-11-02T00:00:00.000Z', resolvedAt: null, deletedAt: null,
  };
  it('takes newer or equal-and-different data, keeps the portal link, ignores older', () => {
    expect(mergeSnapshot(base, { ...base, status: 'Done', portalUrl: null, jiraUpdatedAt: '2026-11-03T00:00:00.000Z' })).toMatchObject({ status: 'Done', portalUrl: 'p' });
    expect(mergeSnapshot(base, { ...base, status: 'Done' })).toMatchObject({ status: 'Done' });
    expect(mergeSnapshot(base, { ...base, portalUrl: null })).toBeNull();
    expect(mergeSnapshot(base, { ...base, status: 'Old', jiraUpdatedAt: '2026-11-01T23:59:59.999Z' })).toBeNull();
  });
});
