// What a new user meets in the first hour, through the real CLI: finding the service desk and
// request type ids, placeholders left from .env.example, PostgreSQL errors that say where and
// why, usage mistakes, --help, --dry-run, and a first run that stops without leaving files.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRequestTypeFields, startFakeJira, type FakeJira } from '../support/fakeJira/index.js';
import { CLI } from '../support/cli.js';
import { DOWN, EMAIL, TOKEN, useCliHarness } from '../support/harness.js';
import { unwrap } from '../support/text.js';

const h = useCliHarness();
const lineOf = (out: string, check: string) => out.split('\n').find((l) => l.slice(5).startsWith(`${check}:`)) ?? `(no line for ${check})`;
const HEX64 = /\b[0-9a-f]{64}\b/;
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

let other: FakeJira | null = null;
afterEach(async () => {
  await other?.close();
  other = null;
});

describe('finding JSM_SERVICE_DESK_ID and JSM_REQUEST_TYPE_ID', () => {
  it('a wrong service desk id makes doctor list every desk there is (all pages), with ids and names', async () => {
    // 55 other desks: more than one page of Jira's default 50.
    const desks = Array.from({ length: 55 }, (_, i) => ({ id: String(100 + i), projectKey: `P${i}`, projectName: `Desk number ${i}` }));
    other = await startFakeJira({ auth: { email: EMAIL, apiToken: TOKEN }, otherServiceDesks: desks });
    const r = await h.cli(['doctor'], { JIRA_BASE_URL: other.url, JSM_SERVICE_DESK_ID: '99' });
    expect(r.code).toBe(2);
    expect(lineOf(r.stdout, 'service desk')).toMatch(/^FAIL service desk: service desk 99 was not found/);
    expect(r.stdout).toMatch(/^ {5}- 1 +HW Service Desk \(project HW\)$/m);
    expect(r.stdout).toMatch(/^ {5}- 154 +Desk number 54 \(project P54\)$/m);
    const listCalls = other.requests.filter((q) => q.path === '/rest/servicedeskapi/servicedesk');
    expect(listCalls.length).toBe(2);
  });

  it('a wrong request type id makes doctor list the desk\'s request types (all pages), with ids and names', async () => {
    const types: Record<string, ReturnType<typeof defaultRequestTypeFields>> = { '10': defaultRequestTypeFields() };
    for (let i = 0; i < 52; i++) types[String(200 + i)] = [];
    other = await startFakeJira({ auth: { email: EMAIL, apiToken: TOKEN }, requestTypes: types });
    const r = await h.cli(['doctor'], { JIRA_BASE_URL: other.url, JSM_REQUEST_TYPE_ID: '77' });
    expect(r.code).toBe(2);
    expect(lineOf(r.stdout, 'request type')).toMatch(/^FAIL request type: request type 77 was not found on service desk 1/);
    expect(r.stdout).toMatch(/^ {5}- 10 +Request new phone equipment$/m);
    expect(r.stdout).toMatch(/^ {5}- 251 +Request type 251$/m);
  });

  it('map-fields with a desk that does not exist lists the desks there are (exit 2), as doctor does', async () => {
    const r = await h.cli(['map-fields'], { JSM_SERVICE_DESK_ID: '7' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/service desk 7 was not found/);
    expect(r.stderr).toMatch(/^ +1 +HW Service Desk \(project HW\)$/m);
    expect(fs.existsSync(h.ws.mappingPath)).toBe(false);
  });

  it('map-fields with a request type that does not exist lists the desk\'s request types (exit 2)', async () => {
    const r = await h.cli(['map-fields'], { JSM_REQUEST_TYPE_ID: '77' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/request type 77 was not found on service desk 1/);
    expect(r.stderr).toMatch(/^ +10 +Request new phone equipment$/m);
  });

  it('a mistyped JSM_SERVICE_DESK_ID after map-fields: run names both causes, doctor says which ids differ', async () => {
    // The mapping is made for desk 1; then .env says 7, a desk that exists too (on this site).
    expect((await h.cli(['map-fields'])).code).toBe(0);
    other = await startFakeJira({ auth: { email: EMAIL, apiToken: TOKEN }, serviceDeskId: '7' });
    const run = await h.cli(['run'], { JIRA_BASE_URL: other.url, JSM_SERVICE_DESK_ID: '7' });
    expect(run.code).toBe(2);
    const said = run.stderr.replace(/\s+/g, ' ');
    expect(said).toMatch(/made for service desk 1.*JSM_SERVICE_DESK_ID says 7/);
    expect(said).toMatch(/either the id in \.env is wrong.*`jira-sync doctor` lists the service desks/);
    expect(said).toMatch(/map-fields --force/);
    const doctor = await h.cli(['doctor'], { JIRA_BASE_URL: other.url, JSM_SERVICE_DESK_ID: '7' });
    const mapping = lineOf(unwrap(doctor.stdout), 'field mapping');
    expect(mapping).not.toMatch(/no longer matches/);
    expect(mapping).toMatch(/^FAIL field mapping: .* was made for service desk 1, but JSM_SERVICE_DESK_ID says 7/);
  });

  it('the README says where the two ids come from', () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    expect(readme).toMatch(/### Finding the service desk and request type ids/);
    expect(readme).toContain('/servicedesk/customer/portal/');
  });
});

describe('doctor and the placeholders of .env.example', () => {
  it('flags every value still equal to its .env.example placeholder, naming the variable', async () => {
    const example = dotenv.parse(fs.readFileSync(path.join(REPO, '.env.example')));
    const env = { ...example, TRACKER_PATH: h.ws.trackerPath, FIELD_MAPPING_PATH: h.ws.mappingPath, LOG_DIR: h.ws.logDir };
    const r = await h.cli(['doctor'], env);
    expect(r.code).toBe(2);
    for (const v of ['DATABASE_URL', 'JIRA_BASE_URL', 'JIRA_EMAIL', 'JIRA_API_TOKEN']) {
      expect(r.stdout).toMatch(new RegExp(`^FAIL configuration: ${v} still has the placeholder from \\.env\\.example`, 'm'));
    }
    // Nothing is tried against the example hosts.
    expect(lineOf(r.stdout, 'PostgreSQL')).toMatch(/^-- {3}PostgreSQL: not checked/);
    expect(lineOf(r.stdout, 'Jira')).toMatch(/^-- {3}Jira: not checked/);
  });
});

describe('PostgreSQL errors say where and why', () => {
  const url = (user: string, db: string) => {
    const u = new URL(h.db.url);
    u.username = user;
    u.password = '';
    u.pathname = `/${db}`;
    return u.toString();
  };

  it('a role that does not exist is named as such, with the host and port tried', async () => {
    const u = new URL(h.db.url);
    const r = await h.cli(['run'], { DATABASE_URL: url('no_such_role_x', u.pathname.slice(1)) });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('role "no_such_role_x" does not exist');
    expect(r.stderr).toContain(`${u.hostname}:${u.port || '5432'}`);
    expect(r.stderr).not.toContain('authentication failed');
  });

  it('a database that does not exist is named, with the host and port tried', async () => {
    const u = new URL(h.db.url);
    const r = await h.cli(['doctor'], { DATABASE_URL: url(decodeURIComponent(u.username), 'no_such_db_x') });
    const line = lineOf(r.stdout.replace(/\n {5}(?!fix:)/g, ' '), 'PostgreSQL');
    expect(line).toContain('database "no_such_db_x" does not exist');
    expect(line).toContain(`${u.hostname}:${u.port || '5432'}`);
  });

  it('a refused connection names the host and port', async () => {
    const r = await h.cli(['run'], { DATABASE_URL: DOWN.DATABASE_URL });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cannot connect to 127.0.0.1:1');
  });
});

describe('usage and --help', () => {
  it('usage mistakes exit 2 and are not called configuration problems', async () => {
    for (const args of [['run', '--bogus'], ['run', '--batch-size'], ['retry'], ['nonsense']]) {
      const r = await h.cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).not.toMatch(/configuration/i);
      expect(r.stderr, args.join(' ')).toMatch(/usage|unknown|missing|error:/i);
    }
  });

  it("each command's --help lists its own exit codes", async () => {
    const help = async (cmd: string) => (await h.cli([cmd, '--help'])).stdout;
    expect(await help('run')).toMatch(/^ {2}4 {2}another run holds the lock/m);
    const status = await help('status');
    expect(status).toMatch(/Exit codes:/);
    expect(status).not.toMatch(/^ {2}1 /m);
    expect(status).not.toMatch(/^ {2}4 /m);
    const doctor = await help('doctor');
    expect(doctor).toMatch(/^ {2}3 {2}.*disk/m);
    expect(doctor).not.toMatch(/^ {2}1 /m);
    const retry = await help('retry');
    expect(retry).not.toMatch(/^ {2}[14] /m);
    expect(retry).toMatch(/^ {2}3 {2}the tracker cannot be read/m);
    const audit = await help('audit');
    expect(audit).toMatch(/^ {2}1 {2}the audit found rows/m);
    expect(audit).not.toMatch(/^ {2}130/m);
    // audit never calls Jira: its exit 3 names PostgreSQL and local files only.
    const audit3 = audit.slice(audit.search(/^ {2}3 {2}/m)).split(/\n {2}\d/)[0] ?? '';
    expect(audit3).toMatch(/PostgreSQL/);
    expect(audit3).not.toMatch(/Jira|401|403/);
    expect(await help('run')).toMatch(/^ {2}130, 143 /m);
    expect(await help('map-fields')).toMatch(/^ {2}2 {2}.*--check/m);
  });
});

describe('run --dry-run', () => {
  it('shows field names and option labels beside the ids, and says "would create N"', async () => {
    await h.seed(2);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const r = await h.cli(['run', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Equipment \(customfield_10013\): .*Mobile phone/);
    expect(r.stdout).toMatch(/Email address \(customfield_10010\): "person0@example.com"/);
    expect(r.stderr).toMatch(/would create 2/);
  });
});

describe('a run that stops with exit 3 before doing anything', () => {
  it('PostgreSQL down on a fresh install: no tracker, lock or backup file', async () => {
    const r = await h.cli(['run'], { DATABASE_URL: DOWN.DATABASE_URL });
    expect(r.code).toBe(3);
    expect(fs.existsSync(path.dirname(h.ws.trackerPath))).toBe(false);
  });

  it('Jira refusing the token on a fresh install: no tracker, lock or backup file', async () => {
    await h.seed(2);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const before = fs.existsSync(path.dirname(h.ws.trackerPath)) ? fs.readdirSync(path.dirname(h.ws.trackerPath)) : [];
    const r = await h.cli(['run'], { JIRA_API_TOKEN: 'wrong-token-123' });
    expect(r.code).toBe(3);
    const after = fs.existsSync(path.dirname(h.ws.trackerPath)) ? fs.readdirSync(path.dirname(h.ws.trackerPath)) : [];
    expect(after).toEqual(before);
    expect(h.jira.issues).toHaveLength(0);
  });
});

describe('console output', () => {
  it('an error is printed once, not by the logger, the summary and the top level each', async () => {
    const r = await h.cli(['run'], { DATABASE_URL: DOWN.DATABASE_URL });
    expect(r.code).toBe(3);
    expect(r.stderr.match(/cannot connect/g)).toHaveLength(1);
  });

  it('on a terminal at the default level: the progress line and the summary, no 64-hex keys', async () => {
    await h.seed(3);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    // `script` gives the CLI a real terminal; its output is the terminal's.
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...h.ws.env, TERM: 'dumb', COLUMNS: '100' };
    // Not spawnSync: the fake Jira answers from this process, which must keep running.
    const out = await new Promise<{ status: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn('script', ['-qfec', `${process.execPath} ${CLI} run`, '/dev/null'], { env, cwd: h.ws.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout }));
    });
    expect(out.status, out.stdout).toBe(0);
    const lines = out.stdout.split(/\r?\n/).filter((l) => l.trim() !== '');
    expect(out.stdout).not.toMatch(HEX64);
    expect(out.stdout).toMatch(/Submissions 3\/3: created 3, failed 0/);
    expect(lines.filter((l) => !/Submissions \d\/\d/.test(l))).toEqual([expect.stringMatching(/ created 3, skipped 0, failed 0, parked 0 in /)]);
  });

  it('status, doctor and the map-fields table fit 100 columns', async () => {
    await h.seed(3);
    const mf = await h.cli(['map-fields']);
    expect(mf.code).toBe(0);
    h.jira.injectFault({ match: { method: 'POST', path: '/rest/servicedeskapi/request' }, times: 1, kind: 'status', status: 400, body: { errorMessage: `Equipment: ${'this option is not available for the selected department and site; '.repeat(3)}` } });
    const run = await h.cli(['run', '--concurrency', '1']);
    expect(run.code).toBe(1);
    // Under cron each failure is one line, not one per layer that saw it.
    expect(run.stderr.split('\n').filter((l) => l.includes('not available for the selected department')), run.stderr).toHaveLength(1);
    const status = await h.cli(['status']);
    const doctor = await h.cli(['doctor'], { JSM_SERVICE_DESK_ID: '99', SOURCE_TABLE: 'a_table_that_is_not_there_at_all_in_this_database' });
    for (const [name, out] of [['map-fields', mf.stdout], ['status', status.stdout], ['doctor', doctor.stdout]] as const) {
      const wide = out.split('\n').filter((l) => Array.from(l).length > 100);
      expect(wide, name).toEqual([]);
    }
    expect(status.stdout).toContain('this option is not available');
  });
});

describe('rate limits', () => {
  it('a 429 with Retry-After on the first call of a run is waited out', async () => {
    await h.seed(2);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const first = h.jira.requests.length;
    h.jira.injectFault({ match: { method: 'GET', path: /^\/rest\/servicedeskapi\/servicedesk\/1$/ }, kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: { errorMessages: ['Rate limit exceeded.'] } });
    const r = await h.cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    const calls = h.jira.requests.slice(first);
    expect(calls[0]?.status).toBe(429);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900);
    expect(h.jira.issues).toHaveLength(2);
  });
});
