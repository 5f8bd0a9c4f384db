// The whole path through the real CLI process: a real PostgreSQL, the fake Jira over HTTP,
// a real SQLite tracker file.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { insertSubmissions, sampleSubmission } from '../support/db.js';
import { trackerRows as rowsOf, useCliHarness } from '../support/harness.js';

const h = useCliHarness();
const cli = (args: string[], extra: Record<string, string> = {}) => h.cli(args, extra);
const creates = () => h.jira.requests.filter((r) => r.method === 'POST' && r.path === '/rest/servicedeskapi/request');
const trackerRows = () => rowsOf(h.ws);

describe('jira-sync run, end to end', () => {
  it('turns 75 rows into 75 requests over four runs (30, 30, 15, 0), each with its row attached once', async () => {
    await insertSubmissions(h.db.client, Array.from({ length: 75 }, (_, i) => sampleSubmission(i)));
    const mapped = await cli(['map-fields']);
    expect(mapped.code, mapped.stderr).toBe(0);
    expect(fs.existsSync(h.ws.mappingPath)).toBe(true);

    const counts: number[] = [];
    for (let run = 0; run < 4; run++) {
      const before = h.jira.issues.length;
      const r = await cli(['run']);
      expect(r.code, r.stderr).toBe(0);
      counts.push(h.jira.issues.length - before);
      expect(r.stderr).toMatch(new RegExp(`created ${h.jira.issues.length - before}, skipped 0, failed 0`));
    }
    expect(counts).toEqual([30, 30, 15, 0]);

    const rows = (await h.db.client.query('SELECT id::text AS id, email_address, equipment, quantity FROM webform_submissions ORDER BY created_at, id')).rows;
    expect(h.jira.issues.map((i) => i.attachments.length)).toEqual(Array(75).fill(1));
    // Concurrency may reorder neighbours; pair each ticket with its row by the attachment name.
    const byFile = new Map(h.jira.issues.map((i) => [i.attachments[0]!.filename, i]));
    expect(byFile.size).toBe(75);
    for (const row of rows) {
      const issue = byFile.get(`submission-${row.id}.json`);
      expect(issue, `ticket for row ${row.id}`).toBeDefined();
      const attached = JSON.parse(issue!.attachments[0]!.content.toString('utf8'));
      expect(attached).toMatchObject({ id: row.id, email_address: row.email_address, equipment: row.equipment, quantity: row.quantity });
      expect(issue!.attachments[0]!.public).toBe(false);
      expect(issue!.fields.customfield_10010).toBe(row.email_address);
      expect(issue!.description).toContain(`email_address: ${row.email_address}`);
      expect(issue!.labels.some((l) => l.startsWith('jira-sync-'))).toBe(true);
    }
    expect(trackerRows().every((r) => r.state === 'done')).toBe(true);
    // Never twice: a fifth run sends nothing to Jira at all.
    const requestsBefore = h.jira.requests.length;
    expect((await cli(['run'])).code).toBe(0);
    expect(h.jira.requests.length).toBe(requestsBefore);
  });

  it('fails a row Jira rejects with Jira\'s own message, and the rest go through (exit 1)', async () => {
    await insertSubmissions(h.db.client, [0, 1, 2].map((i) => sampleSubmission(i)));
    expect((await cli(['map-fields'])).code).toBe(0);
    h.jira.injectFault({
      match: { method: 'POST', path: '/rest/servicedeskapi/request' },
      kind: 'status',
      status: 400,
      body: { errorMessage: 'Email address: the address is not valid for this service desk', i18nErrorMessage: { i18nKey: 'sd.request.create.error', parameters: [] } },
    });
    const r = await cli(['run', '--concurrency', '1']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('created 2, skipped 0, failed 1');
    expect(h.jira.issues).toHaveLength(2);
    const failed = trackerRows().find((t) => t.state === 'failed');
    expect(failed?.source_id).toBe('1');
    expect(failed?.last_error).toContain('the address is not valid for this service desk');
  });

  it('fails a row whose value cannot be converted before calling Jira, naming the column and the allowed values', async () => {
    await insertSubmissions(h.db.client, [sampleSubmission(0, { equipment: 'Fax machine' }), sampleSubmission(1)]);
    expect((await cli(['map-fields'])).code).toBe(0);
    const r = await cli(['run']);
    expect(r.code).toBe(1);
    expect(creates()).toHaveLength(1);
    const failed = trackerRows().find((t) => t.state === 'failed');
    expect(failed?.last_error).toMatch(/column "equipment": "Fax machine" is not one of the allowed values for "Equipment" \(.*Mobile phone/);
    expect(r.stderr).toContain('Fax machine');
  });

  it('--dry-run prints the request and attachment name and changes nothing', async () => {
    await insertSubmissions(h.db.client, [sampleSubmission(0), sampleSubmission(1)]);
    expect((await cli(['map-fields'])).code).toBe(0);
    const jiraCallsBefore = h.jira.requests.length;
    const r = await cli(['run', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('attachment: submission-1.json');
    expect(r.stdout).toContain('Email address (customfield_10010): "person0@example.com"');
    expect(r.stdout).not.toContain('test-token-s3cr3t');
    expect(h.jira.requests.length).toBe(jiraCallsBefore);
    expect(fs.existsSync(h.ws.trackerPath)).toBe(false);
    expect(fs.existsSync(path.join(h.ws.logDir, 'main.log'))).toBe(false);
  });

  it('reports every configuration problem at once, with exit 2, before connecting', async () => {
    const r = await runCli(['run'], { env: { BATCH_SIZE: 'many', JIRA_BASE_URL: 'not a url', TRACKER_PATH: h.ws.trackerPath } });
    expect(r.code).toBe(2);
    for (const v of ['DATABASE_URL', 'JIRA_BASE_URL', 'BATCH_SIZE', 'JSM_SERVICE_DESK_ID', 'JSM_REQUEST_TYPE_ID', 'JIRA_API_TOKEN']) expect(r.stderr).toContain(v);
    expect(fs.existsSync(h.ws.trackerPath)).toBe(false);
  });

  it('says plainly when PostgreSQL is unreachable (exit 3)', async () => {
    const r = await cli(['run'], { DATABASE_URL: 'postgres://sync:db-secret-pw@127.0.0.1:1/forms' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/PostgreSQL: cannot connect to 127\.0\.0\.1:1 .*\(connection refused\)/);
    expect(r.stderr).not.toContain('db-secret-pw');
    // summary.log has a line for this run too, saying why it stopped.
    expect(fs.readFileSync(path.join(h.ws.logDir, 'summary.log'), 'utf8')).toMatch(/created 0, skipped 0, failed 0, parked 0 in [\d.]+ s; stopped: PostgreSQL: cannot connect/);
  });

  it('stops on Jira 401 with nothing changed (exit 3)', async () => {
    await insertSubmissions(h.db.client, [sampleSubmission(0)]);
    expect((await cli(['map-fields'])).code).toBe(0);
    const r = await cli(['run'], { JIRA_API_TOKEN: 'revoked-token' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Jira: Jira rejected the credentials \(401 Unauthorized\): check JIRA_EMAIL and JIRA_API_TOKEN/);
    expect(r.stderr).not.toContain('revoked-token');
    expect(h.jira.issues).toHaveLength(0);
    expect(trackerRows()).toEqual([]);
    // With the right token the next run does the work by itself.
    const again = await cli(['run']);
    expect(again.code).toBe(0);
    expect(h.jira.issues).toHaveLength(1);
  });

  it('answers --help and --version on the program and on each command', async () => {
    const version = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')).version as string;
    for (const args of [[], ['run'], ['map-fields'], ['status'], ['retry']]) {
      const help = await runCli([...args, '--help'], { env: {} });
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.stdout).toContain('Usage: jira-sync');
      // Each command lists its own exit codes (the program lists them all).
      expect(help.stdout).toMatch(/Exit codes:\n {2}0 {2}/);
      const v = await runCli([...args, '--version'], { env: {} });
      expect(v.code).toBe(0);
      expect(v.stdout.trim()).toBe(version);
    }
    const bad = await runCli(['run', '--batch-size', 'zero'], { env: {} });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--batch-size');
  });
});
