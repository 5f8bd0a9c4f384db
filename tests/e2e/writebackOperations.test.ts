// Operating the write-back (WRITEBACK_TABLE) through the real CLI: `jira-sync pull` on its own,
// `status` and the alert when pulls keep failing, and `doctor`'s check of the table.
import { beforeEach, describe, expect, it } from 'vitest';
import { useCliHarness, webhookReceiver } from '../support/harness.js';
import { pullState } from '../support/writeback.js';

const clock = { now: Date.parse('2026-11-30T10:00:00Z') };
const h = useCliHarness({ fake: { now: () => clock.now } });
beforeEach(async () => {
  await h.db.client.query('DROP TABLE IF EXISTS jira_sync_requests');
});
const ENV = { WRITEBACK_TABLE: 'jira_sync_requests' };
const cli = (args: string[], extra: Record<string, string> = {}) => h.cli(args, { ...ENV, ...extra });

async function setUp(n: number): Promise<void> {
  await h.seed(n);
  expect((await cli(['map-fields'])).code).toBe(0);
}

describe('write-back operations', () => {
  it('a pull failing for an hour is one alert, cleared once a pull succeeds; status shows the pull', async () => {
    const hook = await webhookReceiver();
    try {
      const env = { ALERT_WEBHOOK_URL: hook.url };
      await setUp(1);
      expect((await cli(['run'], env)).code).toBe(0);
      const ok = await cli(['status'], env);
      expect(ok.stdout.replace(/\s+/g, ' ')).toMatch(/Write-back pull: last \S+, ok; checkpoint 2026-11-30T\S+; 1 row changed/);
      h.jira.injectFault({ match: { path: /\/search\/jql$/ }, kind: 'status', status: 400, body: { errorMessages: ['No search today'], errors: {} }, times: 3 });
      expect((await cli(['run'], env)).code).toBe(0);
      expect(hook.posts).toHaveLength(0);
      const later = { ...env, JIRA_SYNC_CLOCK_OFFSET_MS: String(61 * 60_000) };
      expect((await cli(['run'], later)).code).toBe(0);
      expect((await cli(['run'], later)).code).toBe(0);
      expect(hook.posts.map((p) => p.text)).toEqual([expect.stringContaining('PROBLEM: The write-back pull has not succeeded for an hour')]);
      const failing = await cli(['status'], later);
      expect(failing.stdout.replace(/\s+/g, ' ')).toMatch(/Write-back pull: last \S+, failed \(.*No search today.*\), failing since \S+; checkpoint 2026-11-30T/);
      // The three failures are used up: this run's pull succeeds and the incident clears, once.
      expect((await cli(['run'], later)).code).toBe(0);
      expect((await cli(['run'], later)).code).toBe(0);
      expect(hook.posts.map((p) => p.text)).toEqual([
        expect.stringContaining('PROBLEM: The write-back pull has not succeeded for an hour'),
        expect.stringContaining('RESOLVED: The write-back pull has not succeeded for an hour'),
      ]);
    } finally {
      await hook.close();
    }
  });

  it('a WRITEBACK_TABLE whose schema is missing is a configuration error (exit 2), as doctor says; the rows wait for it', async () => {
    await h.db.client.query('DROP SCHEMA IF EXISTS reporting CASCADE');
    const env = { WRITEBACK_TABLE: 'reporting.jira_sync_requests' };
    await setUp(2);
    const run = await cli(['run'], env);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('created 2');
    expect(run.stderr).toMatch(/schema "reporting" of WRITEBACK_TABLE reporting\.jira_sync_requests does not exist/);
    expect((await cli(['pull'], env)).code).toBe(2);
    expect((await cli(['doctor'], env)).code).toBe(2);
    await h.db.client.query('CREATE SCHEMA reporting');
    expect((await cli(['run'], env)).code).toBe(0);
    expect((await h.db.client.query('SELECT ticket_key FROM reporting.jira_sync_requests')).rowCount).toBe(2);
    await h.db.client.query('DROP SCHEMA reporting CASCADE');
  });

  it('a pull that cannot reach PostgreSQL is recorded as failed: status does not say the last pull was ok', async () => {
    await setUp(1);
    expect((await cli(['run'])).code).toBe(0);
    const url = new URL(h.db.url);
    url.port = '1';
    expect((await cli(['pull'], { DATABASE_URL: url.toString() })).code).toBe(3);
    const s = (await cli(['status'])).stdout.replace(/\s+/g, ' ');
    expect(s).toMatch(/Write-back pull: last \S+, failed \(PostgreSQL: cannot connect to 127\.0\.0\.1:1 .*\), failing since \S+; checkpoint 2026-11-30T/);
  });

  it('doctor checks the table: missing (the first run creates it), right, wrong columns, no privileges', async () => {
    await setUp(1);
    const line = (out: string) => out.replace(/\s+/g, ' ').match(/(ok|FAIL) +write-back table: [^\n]*?(?= (ok|FAIL|WARN|--) |$)/)?.[0] ?? out;
    expect(line((await cli(['doctor'])).stdout)).toMatch(/^ok write-back table: "jira_sync_requests" does not exist yet; the first run creates it/);
    expect((await cli(['run'])).code).toBe(0);
    expect(line((await cli(['doctor'])).stdout)).toMatch(/^ok write-back table: "jira_sync_requests" has the right columns and jira-sync may write it/);

    // A user that may read the source table but not write the write-back table.
    const role = `wb_reader_${Date.now()}`;
    await h.db.client.query(`CREATE ROLE ${role} LOGIN`);
    try {
      await h.db.client.query(`GRANT SELECT ON webform_submissions TO ${role}`);
      const url = new URL(h.db.url);
      url.username = role;
      const denied = await cli(['doctor'], { DATABASE_URL: url.toString() });
      expect(line(denied.stdout)).toMatch(/^FAIL write-back table: this user may not read and write "jira_sync_requests".*GRANT SELECT, INSERT, UPDATE ON jira_sync_requests/);
      // A missing table this user may not create: the pull says what to do, not only PostgreSQL's words.
      const cannot = await cli(['pull'], { DATABASE_URL: url.toString(), WRITEBACK_TABLE: 'other_requests' });
      expect(cannot.code).toBe(3);
      expect(cannot.stderr.replace(/\s+/g, ' ')).toMatch(/cannot create WRITEBACK_TABLE other_requests \(permission denied for schema public.*\); have a DBA create it with the DDL and GRANTs in the README \(Write-back\), or GRANT CREATE ON SCHEMA public to this user/);
    } finally {
      await h.db.client.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }

    await h.db.client.query('ALTER TABLE jira_sync_requests DROP COLUMN portal_url, ALTER COLUMN resolved_at TYPE text');
    const wrong = await cli(['doctor']);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout.replace(/\s+/g, ' ')).toMatch(/FAIL write-back table: "jira_sync_requests" does not have the columns jira-sync writes - column portal_url \(text\) is missing - column resolved_at is text, not timestamp with time zone/);
  });

  it('jira-sync pull: exit 2 without WRITEBACK_TABLE; exit 3 when Jira refuses the search, the checkpoint kept', async () => {
    await setUp(1);
    const off = await h.cli(['pull']);
    expect(off.code).toBe(2);
    expect(off.stderr).toContain('WRITEBACK_TABLE is not set');
    expect((await cli(['run'])).code).toBe(0);
    const checkpoint = pullState(h.ws.trackerPath)?.checkpoint;
    expect(checkpoint).not.toBeNull();
    h.jira.injectFault({ match: { path: /\/search\/jql$/ }, kind: 'status', status: 400, body: { errorMessages: ['Refused'], errors: {} }, times: 1 });
    const r = await cli(['pull']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/pull failed.*Refused/);
    expect(pullState(h.ws.trackerPath)).toMatchObject({ checkpoint, last_error: expect.stringContaining('Refused') });
  });
});
