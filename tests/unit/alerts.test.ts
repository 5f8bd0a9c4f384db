// The incident logic over a sequence of runs (open once, keep quietly, clear once), the
// webhook body every platform accepts, and secrets kept out of error messages.
import { openSqlite, type SqliteDatabase } from '../../src/adapters/tracker/sqlite.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertRedactor, buildMessage, DISCORD_MAX, webhookLabel, webhookPayload, type AlertItem } from '../../src/alerts/channels.js';
import { formatDuration, NO_CHANNEL, planIncidents, type Plan, type RunProblem } from '../../src/alerts/incidents.js';
import { loadOpenIncidents, parkedLookup, saveIncidentPlan } from '../../src/adapters/tracker/incidents.js';
import { Tracker } from '../../src/adapters/tracker/tracker.js';
import { notifyRunProblems, problemsFromRun } from '../../src/alerts/index.js';

const T0 = Date.parse('2026-11-23T09:00:00.000Z');
const at = (run: number) => new Date(T0 + run * 15 * 60_000);
const JIRA: RunProblem = { fingerprint: 'run-failed:dependency:Jira', title: 'Runs stop: Jira is unavailable', detail: 'Jira: 503', stopsRun: true };
const FAILING: RunProblem = { fingerprint: 'run-failed:submissions', title: 'Submissions are failing', detail: '2 failed' };

let db: SqliteDatabase;
beforeEach(() => {
  // A bare database with only the incident table (the tracker's migration makes it), so each
  // test adds exactly the submissions table it needs, or none.
  db = openSqlite(':memory:');
  db.exec('CREATE TABLE alert_incidents (fingerprint TEXT PRIMARY KEY, title TEXT, detail TEXT, first_seen TEXT, last_seen TEXT, runs INTEGER, alerted_at TEXT)');
});
afterEach(() => db.close());

/** One run through the real persistence: load, plan, save. */
function run(n: number, problems: RunProblem[], channels = true): Plan {
  const plan = planIncidents(loadOpenIncidents(db), problems, { now: at(n), channels, stillParked: parkedLookup(db) });
  saveIncidentPlan(db, plan);
  return plan;
}
const alerts = (p: Plan) => p.alerts.map((a) => `${a.kind} ${a.incident.fingerprint}`);

describe('incidents over a sequence of runs', () => {
  it('alerts once when a problem appears, stays quiet while it persists, alerts once when it clears', () => {
    expect(alerts(run(0, [FAILING]))).toEqual(['opened run-failed:submissions']);
    // Pretend the alert was delivered, as index.ts records it.
    db.prepare('UPDATE alert_incidents SET alerted_at = ?').run(at(0).toISOString());
    expect(alerts(run(1, [FAILING]))).toEqual([]);
    expect(alerts(run(2, [FAILING, { ...FAILING }]))).toEqual([]); // duplicates in one run count once
    expect(loadOpenIncidents(db)).toMatchObject([{ fingerprint: 'run-failed:submissions', runs: 3, firstSeen: at(0).toISOString(), lastSeen: at(2).toISOString() }]);

    const cleared = run(3, []);
    expect(alerts(cleared)).toEqual(['cleared run-failed:submissions']);
    expect(cleared.alerts[0]?.facts).toMatchObject({ Runs: '3', Lasted: '45 min', 'First seen': at(0).toISOString() });
    expect(loadOpenIncidents(db)).toEqual([]);
    expect(alerts(run(4, []))).toEqual([]);
  });

  it('creates its table when missing, in the same database', () => {
    run(0, [FAILING]);
    const cols = (db.prepare('PRAGMA table_info(alert_incidents)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(['fingerprint', 'title', 'detail', 'first_seen', 'last_seen', 'runs', 'alerted_at']);
  });

  it('retries the "opened" alert on the next run when no channel delivered it', () => {
    run(0, [FAILING]); // alerted_at stays null: delivery failed
    const again = run(1, [FAILING]);
    expect(alerts(again)).toEqual(['opened run-failed:submissions']);
    expect(again.alerts[0]?.facts).toMatchObject({ Runs: '2', 'First seen': at(0).toISOString() });
  });

  it('tracks incidents with no channel configured and never replays them once one is', () => {
    expect(alerts(run(0, [FAILING], false))).toEqual([]);
    expect(loadOpenIncidents(db)[0]?.alertedAt).toBe(NO_CHANNEL);
    expect(alerts(run(1, [FAILING, JIRA], true))).toEqual(['opened run-failed:dependency:Jira']);
    db.prepare(`UPDATE alert_incidents SET alerted_at = ? WHERE alerted_at IS NULL`).run(at(1).toISOString());
    expect(alerts(run(2, [], true))).toEqual(['cleared run-failed:dependency:Jira']); // FAILING closes silently
    expect(loadOpenIncidents(db)).toEqual([]);
  });

  it('a run stopped by a dependency does not clear what it could not see', () => {
    run(0, [FAILING]);
    expect(alerts(run(1, [JIRA]))).toEqual(['opened run-failed:dependency:Jira']);
    expect(loadOpenIncidents(db).map((i) => [i.fingerprint, i.runs])).toEqual([
      ['run-failed:submissions', 1],
      ['run-failed:dependency:Jira', 1],
    ]);
    expect(alerts(run(2, []))).toEqual(['cleared run-failed:submissions', 'cleared run-failed:dependency:Jira']);
  });

  it('a parked submission stays open while the tracker says parked, and clears when it is not', () => {
    db.exec(`CREATE TABLE submissions (key TEXT PRIMARY KEY, state TEXT NOT NULL)`);
    db.prepare(`INSERT INTO submissions VALUES ('k1', 'parked')`).run();
    const parked = problemsFromRun({ exitCode: 1, failed: 0, parkedKeys: [{ key: 'k1', sourceId: '42', error: 'HTTP 400' }], runId: 'r0' });
    expect(alerts(run(0, parked))).toEqual(['opened parked:k1']);
    db.prepare('UPDATE alert_incidents SET alerted_at = ?').run(at(0).toISOString());
    // Later runs never report it (parked submissions are not retried), yet it is still parked.
    expect(alerts(run(1, []))).toEqual([]);
    expect(alerts(run(2, []))).toEqual([]);
    expect(loadOpenIncidents(db)[0]).toMatchObject({ fingerprint: 'parked:k1', runs: 3 });
    db.prepare(`UPDATE submissions SET state = 'done' WHERE key = 'k1'`).run(); // jira-sync retry, then success
    expect(alerts(run(3, []))).toEqual(['cleared parked:k1']);
  });

  it('without a tracker table a parked incident clears when no longer reported', () => {
    run(0, [{ fingerprint: 'parked:k9', title: 'x', detail: '' }]);
    expect(alerts(run(1, []))).toEqual(['cleared parked:k9']);
  });

  it('formats durations for people', () => {
    expect([0, 45 * 60_000, 75 * 60_000, 2 * 3600_000, 26 * 3600_000].map(formatDuration)).toEqual(['less than a minute', '45 min', '1 h 15 min', '2 h', '1 d 2 h']);
  });
});

describe('problemsFromRun', () => {
  const base = { failed: 0, parkedKeys: [], runId: 'r1' };
  const fps = (p: RunProblem[]) => p.map((x) => x.fingerprint);

  it('maps exit codes to stable fingerprints', () => {
    expect(problemsFromRun({ ...base, exitCode: 0 })).toEqual([]);
    expect(fps(problemsFromRun({ ...base, exitCode: 3, dependency: 'Jira', errorMessage: 'Jira: 401' }))).toEqual(['run-failed:dependency:Jira']);
    expect(fps(problemsFromRun({ ...base, exitCode: 3, dependency: 'PostgreSQL' }))).toEqual(['run-failed:dependency:PostgreSQL']);
    expect(fps(problemsFromRun({ ...base, exitCode: 3 }))).toEqual(['run-failed:unexpected']);
    expect(fps(problemsFromRun({ ...base, exitCode: 2 }))).toEqual(['run-failed:configuration']);
    expect(fps(problemsFromRun({ ...base, exitCode: 1, failed: 2 }))).toEqual(['run-failed:submissions']);
    expect(problemsFromRun({ ...base, exitCode: 3, dependency: 'Jira' })[0]?.stopsRun).toBe(true);
  });

  it('reports parked submissions on their own, not also as "submissions failing"', () => {
    const p = problemsFromRun({ ...base, exitCode: 1, parkedKeys: [{ key: 'abc', sourceId: '7', error: 'HTTP 400: bad field' }] });
    expect(fps(p)).toEqual(['parked:abc']);
    expect(p[0]?.detail).toContain('HTTP 400: bad field');
    expect(p[0]?.facts).toMatchObject({ 'Source id': '7' });
  });
});

describe('"submissions are failing" follows the tracker', () => {
  const base = { failed: 0, parkedKeys: [], runId: 'r1' };
  const plan = (n: number, problems: RunProblem[], submissionsUnresolved: boolean) => {
    const p = planIncidents(loadOpenIncidents(db), problems, { now: at(n), channels: true, stillParked: parkedLookup(db), submissionsUnresolved });
    saveIncidentPlan(db, p);
    return p;
  };

  it('is reported while the tracker holds failed or parked submissions, whatever this run did', () => {
    expect(problemsFromRun({ ...base, exitCode: 0, unresolved: { failed: 1, parked: 0 } }).map((p) => p.fingerprint)).toEqual(['run-failed:submissions']);
    expect(problemsFromRun({ ...base, exitCode: 0, unresolved: { failed: 0, parked: 2 } })[0]?.facts).toMatchObject({ Failed: '0', Parked: '2' });
    expect(problemsFromRun({ ...base, exitCode: 1, failed: 1, unresolved: { failed: 0, parked: 0 } })).toEqual([]);
  });

  it('stays open while the tracker says so, and clears once it does not, even on a run that stopped early', () => {
    expect(alerts(plan(0, [FAILING], true))).toEqual(['opened run-failed:submissions']);
    db.prepare('UPDATE alert_incidents SET alerted_at = ?').run(at(0).toISOString());
    expect(alerts(plan(1, [], true))).toEqual([]);
    expect(loadOpenIncidents(db).map((i) => i.fingerprint)).toEqual(['run-failed:submissions']);
    expect(alerts(plan(2, [JIRA], false))).toEqual(['opened run-failed:dependency:Jira', 'cleared run-failed:submissions']);
  });
});

describe('webhook payload', () => {
  const item: AlertItem = { kind: 'opened', fingerprint: 'run-failed:dependency:Jira', title: 'Runs stop: Jira is unavailable', detail: 'Jira: 503 <!channel> & co', facts: { Dependency: 'Jira', 'Exit code': '3' } };

  it('carries the Slack, Discord and Teams MessageCard fields', () => {
    const p = webhookPayload(buildMessage([item], { host: 'box1', runId: 'run-1' }));
    expect(typeof p.text).toBe('string');
    expect(p.content).toContain('PROBLEM: Runs stop: Jira is unavailable');
    expect(p['@type']).toBe('MessageCard');
    expect(p['@context']).toBe('https://schema.org/extensions');
    expect(p.summary).toBe('[jira-sync] PROBLEM: Runs stop: Jira is unavailable');
    expect(p.title).toContain('box1');
    expect(p.sections).toEqual([
      expect.objectContaining({ facts: [{ name: 'Dependency', value: 'Jira' }, { name: 'Exit code', value: '3' }] }),
    ]);
    expect(p.allowed_mentions).toEqual({ parse: [] });
    // Slack markup escaped in `text` only; Discord shows `content` verbatim.
    expect(p.text).toContain('&lt;!channel&gt; &amp; co');
    expect(p.content).toContain('<!channel> & co');
  });

  it('keeps Discord content within 2000 characters and folds many items into one message', () => {
    const many = Array.from({ length: 30 }, (_, i): AlertItem => ({ ...item, kind: i % 3 ? 'opened' : 'cleared', fingerprint: `parked:${i}`, title: `Submission ${i} parked`, detail: 'x'.repeat(500) }));
    const msg = buildMessage(many, { host: 'box1', runId: 'run-1' });
    const p = webhookPayload(msg);
    expect(Array.from(p.content as string).length).toBeLessThanOrEqual(DISCORD_MAX);
    expect(msg.subject).toBe('[jira-sync] 20 new problems, 10 resolved');
    expect((p.sections as unknown[]).length).toBe(11);
  });
});

describe('secrets in error messages', () => {
  const webhookUrl = 'https://hooks.slack.com/services/T0001/B0002/XyZsecretTokenAbc';
  const smtpUrl = 'smtp://alerts:S3cr3t%2Fpass@mail.example.com:587';
  const redact = alertRedactor({ secrets: [], webhookUrl, smtpUrl });

  it('never shows the SMTP password or the webhook token', () => {
    const out = redact(`POST ${webhookUrl} failed; token path /services/T0001/B0002/XyZsecretTokenAbc; login to ${smtpUrl} as pass S3cr3t/pass`);
    expect(out).not.toContain('XyZsecretTokenAbc');
    expect(out).not.toContain('S3cr3t');
    expect(webhookLabel(webhookUrl)).toBe('webhook hooks.slack.com');
  });

  it('notify reports an unreachable webhook without its token path, and does not throw', async () => {
    const url = 'http://127.0.0.1:9/hook/XyZsecretTokenAbc';
    const outcome = await notifyRunProblems(new Tracker(db, () => new Date()), { webhookUrl: url, smtpUrl: null, emailTo: null, emailFrom: null, secrets: [], timeoutMs: 2000 }, [FAILING], { runId: 'r1', now: at(0), host: 'box1' });
    expect(outcome.sent).toMatchObject([{ fingerprint: 'run-failed:submissions', kind: 'opened', channel: 'webhook', ok: false }]);
    expect(JSON.stringify(outcome)).not.toContain('XyZsecretTokenAbc');
  });

  it('with no channel configured, tracks and sends nothing', async () => {
    const cfg = { webhookUrl: null, smtpUrl: null, emailTo: null, emailFrom: null, secrets: [] };
    expect(await notifyRunProblems(new Tracker(db, () => new Date()), cfg, [FAILING], { runId: 'r1', now: at(0) })).toEqual({ sent: [] });
    expect(loadOpenIncidents(db)).toMatchObject([{ fingerprint: 'run-failed:submissions', alertedAt: NO_CHANNEL }]);
  });

  it('a closed database is reported, not thrown', async () => {
    db.close();
    const cfg = { webhookUrl: null, smtpUrl: null, emailTo: null, emailFrom: null, secrets: [] };
    const outcome = await notifyRunProblems(new Tracker(db, () => new Date()), cfg, [FAILING], { runId: 'r1', now: at(0) });
    expect(outcome.sent).toEqual([]);
    expect(outcome.stateError).toMatch(/not open/);
    db = openSqlite(':memory:'); // for afterEach
  });
});
