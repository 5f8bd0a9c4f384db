// `jira-sync doctor` through the real CLI: each check's line, the exit codes (0, 2, 3), and
// that it changes nothing: no files, no tracker rows, no Jira writes.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRequestTypeFields } from '../support/fakeJira/index.js';
import { DOWN, TOKEN, snapshot, trackerRows, useCliHarness } from '../support/harness.js';

const h = useCliHarness();
const CHECKS = ['configuration', 'PostgreSQL', 'table', 'columns', 'index', 'Jira authentication', 'service desk', 'request type', 'field mapping', 'tracker', 'run lock', 'log folder'];
// Long lines are wrapped to fit the console; a check's line is read with its continuations joined.
import { unwrap } from '../support/text.js';
const lineOf = (out: string, check: string) => unwrap(out).split('\n').find((l) => l.slice(5).startsWith(`${check}:`)) ?? `(no line for ${check})`;

describe('jira-sync doctor', () => {
  it('all ok: every check passes, exit 0, and nothing changes anywhere', async () => {
    await h.seed(2);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    expect((await h.cli(['run'])).code).toBe(0);
    // Rows first: reading them with SQLite leaves -wal/-shm files, which must not count against doctor.
    const rows = trackerRows(h.ws);
    const files = snapshot(h.ws.dir);
    const jiraCalls = h.jira.requests.length;

    const r = await h.cli(['doctor']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const check of CHECKS) expect(lineOf(r.stdout, check)).toMatch(/^ok {3}/);
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(lineOf(r.stdout, 'tracker')).toContain('schema version');
    expect(r.stdout).toContain('All checks passed');

    expect(snapshot(h.ws.dir)).toEqual(files);
    expect(trackerRows(h.ws)).toEqual(rows);
    const calls = h.jira.requests.slice(jiraCalls);
    expect(calls.length).toBeGreaterThanOrEqual(3); // who am I, service desk, request type fields
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
    expect(h.jira.issues).toHaveLength(2);
  });

  it('on a fresh machine: exit 2 for the missing field_mapping.json, and creates no tracker, lock or log folder', async () => {
    const r = await h.cli(['doctor']);
    expect(r.code).toBe(2);
    expect(lineOf(r.stdout, 'field mapping')).toMatch(/^FAIL field mapping: .*field_mapping\.json does not exist yet/);
    expect(r.stdout).toContain('fix: run `jira-sync map-fields` to create it');
    expect(lineOf(r.stdout, 'tracker')).toMatch(/^ok {3}tracker: .*does not exist yet; the first run creates it/);
    expect(lineOf(r.stdout, 'log folder')).toMatch(/^ok {3}log folder: .*does not exist yet/);
    expect(fs.readdirSync(h.ws.dir)).toEqual([]);
  });

  it('Jira rejects the credentials: exit 3, a FAIL line naming them and a fix, the token never shown', async () => {
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const r = await h.cli(['doctor'], { JIRA_API_TOKEN: 'revoked-token-77' });
    expect(r.code).toBe(3);
    expect(lineOf(r.stdout, 'Jira authentication')).toMatch(/^FAIL Jira authentication: Jira rejected the credentials \(401 Unauthorized\): check JIRA_EMAIL and JIRA_API_TOKEN/);
    expect(r.stdout).toContain('fix: create a new API token for the JIRA_EMAIL account');
    expect(r.stdout).toMatch(/^-- {3}service desk and request type: not checked \(Jira authentication failed\)/m);
    // The checks that do not need Jira still ran.
    expect(lineOf(r.stdout, 'PostgreSQL')).toMatch(/^ok/);
    expect(lineOf(r.stdout, 'field mapping')).toMatch(/^ok .*matches the table \(not compared with Jira's fields: the Jira checks failed\)/);
    expect(r.stdout + r.stderr).not.toContain('revoked-token-77');
  });

  it('PostgreSQL down: exit 3, the Jira checks still run, the password is never shown', async () => {
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const r = await h.cli(['doctor'], { DATABASE_URL: DOWN.DATABASE_URL });
    expect(r.code).toBe(3);
    expect(lineOf(r.stdout, 'PostgreSQL')).toMatch(/^FAIL PostgreSQL: cannot connect to 127\.0\.0\.1:1 .*\(connection refused\)/);
    expect(r.stdout).toContain('fix: check DATABASE_URL');
    expect(lineOf(r.stdout, 'Jira authentication')).toMatch(/^ok/);
    expect(lineOf(r.stdout, 'request type')).toMatch(/^ok/);
    expect(r.stdout + r.stderr).not.toContain('db-secret-pw');
  });

  it('PostgreSQL down: the table, columns and index lines show as not checked (--), and the closing line counts failures', async () => {
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const r = await h.cli(['doctor'], { DATABASE_URL: DOWN.DATABASE_URL });
    for (const check of ['table', 'columns', 'index']) expect(lineOf(r.stdout, check)).toMatch(new RegExp(`^-- {3}${check}: not checked \\(PostgreSQL`));
    expect(unwrap(r.stdout)).toMatch(/^1 failure, 1 warning: fix the FAIL lines above/m);
  });

  it('a missing (timestamp, id) index is a WARN with the CREATE INDEX to run, exit 0; running it makes the check ok', async () => {
    await h.db.client.query('DROP INDEX webform_submissions_keyset');
    try {
      expect((await h.cli(['map-fields'])).code).toBe(0);
      const r = await h.cli(['doctor']);
      expect(r.code, r.stdout).toBe(0);
      expect(lineOf(r.stdout, 'index')).toMatch(/^WARN index: no index starts with \("created_at", "id"\)/);
      const sql = /fix: run in PostgreSQL: (CREATE INDEX .*;)$/m.exec(unwrap(r.stdout))?.[1] ?? '(no statement)';
      expect(sql).toBe('CREATE INDEX CONCURRENTLY "webform_submissions_created_at_id_idx" ON "webform_submissions" ("created_at", "id");');
      await h.db.client.query(sql);
      expect(lineOf((await h.cli(['doctor'])).stdout, 'index')).toMatch(/^ok {3}index/);
    } finally {
      await h.db.client.query('DROP INDEX IF EXISTS webform_submissions_created_at_id_idx');
      await h.db.client.query('CREATE INDEX IF NOT EXISTS webform_submissions_keyset ON webform_submissions (created_at, id)');
    }
  });

  it('a mapping that no longer matches Jira: exit 2, naming the field that changed', async () => {
    expect((await h.cli(['map-fields'])).code).toBe(0);
    h.jira.setRequestTypeFields('10', [
      ...defaultRequestTypeFields(),
      { fieldId: 'customfield_10020', name: 'Cost centre', required: true, jiraSchema: { type: 'string', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield', customId: 10020 } },
    ]);
    const r = await h.cli(['doctor']);
    expect(r.code).toBe(2);
    expect(lineOf(r.stdout, 'field mapping')).toMatch(/^FAIL field mapping: .*field_mapping\.json no longer matches Jira and the table/);
    expect(r.stdout).toMatch(/^ {5}- changed in Jira: .*Cost centre/m);
    expect(r.stdout).toContain('fix: run `jira-sync map-fields` to refresh it');
  });

  it('configuration problems are FAIL lines (exit 2), and the checks that do not need those variables still run', async () => {
    const r = await h.cli(['doctor'], { BATCH_SIZE: 'many', JSM_REQUEST_TYPE_ID: '' });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^FAIL configuration: BATCH_SIZE must be a whole number/m);
    expect(r.stdout).toMatch(/^FAIL configuration: JSM_REQUEST_TYPE_ID is not set/m);
    expect(r.stdout).toContain('fix: set or correct JSM_REQUEST_TYPE_ID in .env or the environment');
    expect(lineOf(r.stdout, 'PostgreSQL')).toMatch(/^ok/);
    expect(lineOf(r.stdout, 'service desk')).toMatch(/^ok/);
    expect(r.stdout).toMatch(/^-- {3}request type: not checked \(fix JSM_REQUEST_TYPE_ID first\)/m);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('--help describes it and lists the exit codes', async () => {
    const r = await h.cli(['doctor', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('changes nothing');
    expect(r.stdout).toContain('3  a dependency is unreachable or refuses us');
  });
});
