// A failed submission is fixed by correcting its row and `jira-sync retry`; a failing marker
// search is counted, backs off and parks, and never blocks new rows. Real PostgreSQL, the
// fake Jira over HTTP, the tracker as a real file, the built CLI as a child process.
import fs from 'node:fs';
import path from 'node:path';
import { openSqlite } from '../../src/adapters/tracker/sqlite.js';
import { describe, expect, it } from 'vitest';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import { Tracker } from '../../src/adapters/tracker/tracker.js';
import { defaultRequestTypeFields } from '../support/fakeJira/defaults.js';
import type { FakeRequestTypeField } from '../support/fakeJira/index.js';
import { insertSubmissions, sampleSubmission } from '../support/db.js';
import { DOWN, snapshot, trackerRows, useCliHarness } from '../support/harness.js';

const h = useCliHarness();
const CREATE = '/rest/servicedeskapi/request';
const SEARCH = /\/rest\/api\/[23]\/search(\/jql)?$/;
const RETRY_DUE_MS = 16 * 60_000; // a failed submission's first retry comes 15 minutes later
const creates = () => h.jira.requests.filter((r) => r.method === 'POST' && r.path === CREATE);
const searches = () => h.jira.requests.filter((r) => SEARCH.test(r.path));

const DEPARTMENTS = [
  { value: '10200', label: 'Finance' },
  { value: '10201', label: 'Sales' },
  { value: '10202', label: 'Support' },
  { value: '10203', label: 'Warehouse' },
];

/** The request type with "Department name" as a single-select field offering `options`. */
function withDepartmentSelect(options: typeof DEPARTMENTS): FakeRequestTypeField[] {
  return defaultRequestTypeFields().map((f) =>
    f.fieldId === 'customfield_10011'
      ? { ...f, jiraSchema: { type: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select', customId: 10011 }, validValues: options.map((o) => ({ ...o, children: [] })) }
      : f,
  );
}

function trackerField(sql: string): unknown[] {
  const t = openSqlite(h.ws.trackerPath, { readonly: true });
  try {
    return t.prepare(sql).all();
  } finally {
    t.close();
  }
}

describe('a failed submission is fixed by correcting its row', () => {
  it('Jira rejects a department its select field no longer offers; the row is corrected, `retry <id>` makes it due at once, and the ticket has the corrected value under the same key', async () => {
    h.jira.setRequestTypeFields('10', withDepartmentSelect(DEPARTMENTS));
    await insertSubmissions(h.db.client, [sampleSubmission(3)]); // department Warehouse
    expect((await h.cli(['map-fields'])).code).toBe(0);
    // Jira's field drops the option after field_mapping.json was written: Jira rejects the value.
    h.jira.setRequestTypeFields('10', withDepartmentSelect(DEPARTMENTS.filter((d) => d.label !== 'Warehouse')));

    const first = await h.cli(['run']);
    expect(first.code, first.stderr).toBe(1);
    const [failed] = trackerRows(h.ws);
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed?.last_error).toContain("option id '10203' is not valid");
    const status = await h.cli(['status'], DOWN);
    expect(status.stdout).toContain('correct the row, then `jira-sync retry 1`');

    await h.db.client.query(`UPDATE webform_submissions SET department_name = 'Sales' WHERE id = 1`);
    const retry = await h.cli(['retry', '1'], DOWN);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain(`re-queued source id 1 (key ${failed?.key})`);

    const next = await h.cli(['run']); // no clock offset: due at once, not 15 minutes later
    expect(next.code, next.stderr).toBe(0);
    expect(h.jira.issues).toHaveLength(1);
    const issue = h.jira.issues[0]!;
    expect(issue.fields.customfield_10011).toEqual({ id: '10201' });
    const attached = JSON.parse(issue.attachments[0]!.content.toString('utf8')) as { department_name: string };
    expect(attached.department_name).toBe('Sales');
    expect(issue.labels).toContain(`jira-sync-${failed?.key.slice(0, 32)}`);
    expect(trackerRows(h.ws).map((t) => [t.key, t.state])).toEqual([[failed?.key, 'done']]);
  });

  it('a parked submission with a value the mapping cannot convert is created from its corrected row after `retry --all`', async () => {
    await insertSubmissions(h.db.client, [sampleSubmission(0, { equipment: 'Fax machine' })]);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    expect((await h.cli(['run'], { MAX_ATTEMPTS: '1' })).code).toBe(1);
    expect(trackerRows(h.ws).map((t) => t.state)).toEqual(['parked']);
    expect((await h.cli(['status'], DOWN)).stdout).toContain('correct the row, then `jira-sync retry 1`');

    await h.db.client.query(`UPDATE webform_submissions SET equipment = 'Headset' WHERE id = 1`);
    const retry = await h.cli(['retry', '--all'], DOWN);
    expect(retry.code, retry.stderr).toBe(0);
    const next = await h.cli(['run'], { MAX_ATTEMPTS: '1' });
    expect(next.code, next.stderr).toBe(0);
    expect(h.jira.issues).toHaveLength(1);
    expect(h.jira.issues[0]?.fields.customfield_10013).toEqual([{ id: '10102' }]);
  });

  it('a failed submission whose row was deleted is parked, saying so, and nothing is created', async () => {
    await insertSubmissions(h.db.client, [sampleSubmission(0, { equipment: 'Fax machine' }), sampleSubmission(1)]);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    expect((await h.cli(['run'])).code).toBe(1);
    await h.db.client.query('DELETE FROM webform_submissions WHERE id = 1');
    const later = await h.cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(RETRY_DUE_MS) });
    expect(later.code).toBe(1);
    expect(later.stderr).toContain('parked 1');
    const gone = trackerRows(h.ws).find((t) => t.source_id === '1');
    expect(gone?.state).toBe('parked');
    expect(gone?.last_error).toMatch(/source row 1 no longer exists/);
    expect(h.jira.issues).toHaveLength(1);
    expect((await h.cli(['status'], DOWN)).stdout).toMatch(/source id 1 {2}parked[\s\S]*no longer exists/);
  });
});

describe('jira-sync retry: naming submissions', () => {
  it('an id or key that matches nothing exits 2 naming it, and re-queues nothing', async () => {
    await insertSubmissions(h.db.client, [sampleSubmission(0, { equipment: 'Fax machine' })]);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    expect((await h.cli(['run'], { MAX_ATTEMPTS: '1' })).code).toBe(1);
    const r = await h.cli(['retry', '1', '999', 'deadbeefdeadbeef'], DOWN);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('999');
    expect(r.stderr).toContain('deadbeefdeadbeef');
    expect(r.stderr).not.toContain('configuration problem');
    expect(trackerRows(h.ws).map((t) => t.state)).toEqual(['parked']);
  });

  it('a key prefix that matches several submissions, or is too short to be unique, exits 2 saying so', async () => {
    fs.mkdirSync(path.dirname(h.ws.trackerPath), { recursive: true });
    const tracker = new Tracker(openTrackerDb(h.ws.trackerPath), () => new Date());
    const keys = ['abcdef01' + '0'.repeat(56), 'abcdef01' + '1'.repeat(56)];
    keys.forEach((key, i) => {
      tracker.register({ sourceId: String(i + 1), sourceTs: `2026-11-02T08:0${i}:00.000000Z` }, key, { id: i + 1 }, 'run-0');
      tracker.markFailed(key, 'failed:invalid-value', 'test', null);
    });
    tracker.close();

    const several = await h.cli(['retry', 'abcdef01'], DOWN);
    expect(several.code).toBe(2);
    expect(several.stderr).toMatch(/abcdef01.*matches 2 submissions/);
    const short = await h.cli(['retry', 'abcd'], DOWN);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/abcd.*too short/);
    expect(trackerRows(h.ws).map((t) => t.state)).toEqual(['parked', 'parked']);

    const one = await h.cli(['retry', `abcdef01${'1'.repeat(4)}`], DOWN);
    expect(one.code, one.stderr).toBe(0);
    expect(trackerRows(h.ws).map((t) => t.state)).toEqual(['parked', 'failed']);
  });

  it('status and retry on a tracker that does not exist create no file and say there is nothing yet', async () => {
    const before = snapshot(h.ws.dir);
    const status = await h.cli(['status'], DOWN);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('yet');
    const all = await h.cli(['retry', '--all'], DOWN);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/nothing to retry yet/i);
    const named = await h.cli(['retry', '1'], DOWN);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('1');
    expect(snapshot(h.ws.dir)).toEqual(before);
    expect(fs.existsSync(h.ws.trackerPath)).toBe(false);
  });
});

describe('a failing marker search', () => {
  const JQL_REFUSED = { errorMessages: ["Error in the JQL Query: The character '~' is a reserved JQL character."], errors: {} };

  it('after a lost create answer, a refused search counts as an attempt, backs off, parks after MAX_ATTEMPTS, and only a search settles it after `retry`', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    h.jira.injectFault({ match: { method: 'POST', path: CREATE }, kind: 'drop-after-effect' });
    expect((await h.cli(['run'])).code).toBe(1);
    expect(trackerRows(h.ws).map((t) => [t.state, t.attempts])).toEqual([['creating', 1]]);

    const env = { MAX_ATTEMPTS: '3' };
    h.jira.injectFault({ match: { path: SEARCH }, kind: 'status', status: 400, body: JQL_REFUSED, times: 2 });
    const second = await h.cli(['run'], env);
    expect(second.code, second.stderr).toBe(1);
    expect(trackerRows(h.ws).map((t) => [t.state, t.attempts])).toEqual([['failed', 2]]);
    expect(trackerRows(h.ws)[0]?.last_error).toContain('reserved JQL character');
    const [next] = trackerField('SELECT next_attempt_at FROM submissions') as { next_attempt_at: string }[];
    expect(Date.parse(next!.next_attempt_at)).toBeGreaterThan(Date.now() + 25 * 60_000); // 30 minutes after attempt 2
    expect((await h.cli(['status'], DOWN)).stdout.replace(/\n {5,}/g, ' ')).toMatch(/searched again after \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

    // Backing off: a run before the retry time neither searches nor creates.
    const searchesBefore = searches().length;
    expect((await h.cli(['run'], env)).code).toBe(0);
    expect(searches()).toHaveLength(searchesBefore);

    const third = await h.cli(['run'], { ...env, JIRA_SYNC_CLOCK_OFFSET_MS: String(31 * 60_000) });
    expect(third.code).toBe(1);
    expect(third.stderr).toContain('parked 1');
    expect(trackerRows(h.ws).map((t) => [t.state, t.attempts])).toEqual([['parked', 3]]);
    expect(creates()).toHaveLength(1);

    // A person fixes the search and retries at once (inside the grace period of nothing:
    // the lost create was long ago): the search finds the ticket and adopts it.
    expect((await h.cli(['retry', '1'], DOWN)).code).toBe(0);
    const fixed = await h.cli(['run'], { ...env, JIRA_SYNC_CLOCK_OFFSET_MS: String(32 * 60_000) });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(creates()).toHaveLength(1);
    expect(h.jira.issues).toHaveLength(1);
    expect(h.jira.issues[0]?.attachments).toHaveLength(1);
    expect(trackerRows(h.ws).map((t) => t.state)).toEqual(['done']);
  });

  it('a parked-from-creating submission retried inside the grace period searches first and does not create while "not found" is not yet believed', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    h.jira.injectFault({ match: { method: 'POST', path: CREATE }, kind: 'drop-after-effect' });
    expect((await h.cli(['run'])).code).toBe(1);
    h.jira.injectFault({ match: { path: SEARCH }, kind: 'status', status: 403, body: { errorMessages: ['You do not have permission to browse this project.'], errors: {} } });
    const refused = await h.cli(['run'], { MAX_ATTEMPTS: '2' });
    expect(refused.code, refused.stderr).toBe(1); // not 3: a refused search is this submission's failure, not the run's
    expect(trackerRows(h.ws).map((t) => [t.state, t.attempts])).toEqual([['parked', 2]]);

    // The lost create's ticket is not yet visible to search: retrying must not create a second one.
    await fetch(`${h.jira.url}/__fake/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ searchLagMs: 3_600_000 }) });
    expect((await h.cli(['retry', '1'], DOWN)).code).toBe(0);
    const soon = await h.cli(['run'], { MAX_ATTEMPTS: '2' });
    expect(soon.code, soon.stderr).toBe(0);
    expect(creates()).toHaveLength(1);
    expect(trackerRows(h.ws).map((t) => t.state)).toEqual(['creating']);
    expect((await h.cli(['status'], DOWN)).stdout.replace(/\n {5,}/g, ' ')).toMatch(/searched again after \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  });

  it('a search failing with HTTP 500 counts as an attempt for that submission and does not stop the run', async () => {
    await h.seed(2);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    h.jira.injectFault({ match: { method: 'POST', path: CREATE }, kind: 'drop-after-effect' });
    expect((await h.cli(['run', '--concurrency', '1'])).code).toBe(1);
    await insertSubmissions(h.db.client, [sampleSubmission(2)]);
    h.jira.injectFault({ match: { path: SEARCH }, kind: 'status', status: 500, times: 6 });
    const r = await h.cli(['run', '--concurrency', '1']);
    expect(r.code, r.stderr).toBe(1);
    expect(trackerRows(h.ws).map((t) => [t.source_id, t.state, t.attempts])).toEqual([['1', 'failed', 2], ['2', 'done', 1], ['3', 'done', 1]]);
    expect(creates()).toHaveLength(3);
  });

  it('a batch full of submissions waiting out the grace period does not stop new rows from being fetched and created', async () => {
    // Search never sees the lost creates' tickets here (an index an hour behind).
    const { startFakeJira } = await import('../support/fakeJira/index.js');
    const jira = await startFakeJira({ auth: { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' }, searchLagMs: 3_600_000 });
    const env = { JIRA_BASE_URL: jira.url, BATCH_SIZE: '3' };
    try {
      await h.seed(3);
      expect((await h.cli(['map-fields'], env)).code).toBe(0);
      jira.injectFault({ match: { method: 'POST', path: CREATE }, kind: 'drop-after-effect', times: 3 });
      expect((await h.cli(['run'], env)).code).toBe(1);
      expect(trackerRows(h.ws).map((t) => t.state)).toEqual(['creating', 'creating', 'creating']);
      await insertSubmissions(h.db.client, [sampleSubmission(3), sampleSubmission(4)]);

      await h.cli(['run'], env); // looks for the three once; not found yet, inside the grace period
      const third = await h.cli(['run'], env);
      expect(third.code, third.stderr).toBe(0);
      expect(third.stderr).toContain('created 2');
      expect(trackerRows(h.ws).map((t) => t.state)).toEqual(['creating', 'creating', 'creating', 'done', 'done']);
      expect(jira.issues).toHaveLength(5);
      expect((await h.cli(['status'], { ...DOWN })).stdout.replace(/\n {5,}/g, ' ')).toMatch(/searched again after \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    } finally {
      await jira.close();
    }
  });
});
