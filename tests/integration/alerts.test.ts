// Alerts against real endpoints on 127.0.0.1: a webhook receiver (node:http) and a minimal SMTP
// server (node:net), over the real tracker database. Checks "one alert per incident, one when it
// clears" end to end, and that a broken channel never fails a run nor leaks its secret.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import { Tracker } from '../../src/adapters/tracker/tracker.js';
import { notifyRunProblems, problemsFromRun, type AlertConfig, type RunProblem } from '../../src/alerts/index.js';

const T0 = Date.parse('2026-11-23T09:00:00.000Z');
const at = (run: number) => new Date(T0 + run * 15 * 60_000);
const ctx = (run: number) => ({ runId: `run-${run}`, now: at(run), host: 'box1' });
const JIRA_DOWN = problemsFromRun({ exitCode: 3, dependency: 'Jira', errorMessage: 'Jira: 503 Service Unavailable', failed: 0, parkedKeys: [], runId: 'r' });
const NONE = { webhookUrl: null, smtpUrl: null, emailTo: null, emailFrom: null, secrets: [] } satisfies AlertConfig;

type Receiver = { url: string; posts: Record<string, unknown>[]; status: number; close(): Promise<void> };

async function receiver(opts: { hang?: boolean } = {}): Promise<Receiver> {
  const posts: Record<string, unknown>[] = [];
  const r = { posts, status: 200 } as Receiver;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (opts.hang) return; // never answers: the sender's timeout must end it
      posts.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(r.status, { 'content-type': 'text/plain' }).end(r.status === 200 ? 'ok' : 'boom');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  r.url = `http://127.0.0.1:${port}/services/T01/B02/tokenTOKENtoken`;
  r.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return r;
}

type Mail = { envelope: string[]; data: string };

/** Just enough SMTP for nodemailer: 220 greeting, 250 to EHLO/MAIL/RCPT, 354 + 250 for DATA, 221 to QUIT. */
async function smtpServer(opts: { rejectAuthEchoing?: string } = {}): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock)).setEncoding('utf8');
    let buf = '';
    let envelope: string[] = [];
    let inData = false;
    sock.write('220 test ESMTP\r\n');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      for (let end = buf.indexOf(inData ? '\r\n.\r\n' : '\r\n'); end >= 0; end = buf.indexOf(inData ? '\r\n.\r\n' : '\r\n')) {
        const line = buf.slice(0, end);
        buf = buf.slice(end + (inData ? 5 : 2));
        const verb = inData ? '' : line.slice(0, 4).toUpperCase();
        if (inData) {
          mails.push({ envelope, data: line });
          [inData, envelope] = [false, []];
          sock.write('250 2.0.0 queued\r\n');
        } else if (verb === 'MAIL' || verb === 'RCPT') {
          envelope.push(line);
          sock.write('250 OK\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          sock.write('354 end with <CRLF>.<CRLF>\r\n');
        } else if (verb === 'QUIT') {
          sock.end('221 bye\r\n');
        } else if (verb === 'EHLO') {
          sock.write(opts.rejectAuthEchoing ? '250-test\r\n250 AUTH PLAIN\r\n' : '250 test\r\n');
        } else {
          // A server that quotes the credentials back on AUTH: whatever it says must be redacted.
          sock.write(verb === 'AUTH' && opts.rejectAuthEchoing ? `535 5.7.8 rejected ${opts.rejectAuthEchoing}\r\n` : '250 OK\r\n');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port: (server.address() as net.AddressInfo).port, mails, close };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Header unfolding and quoted-printable soft breaks, enough to search a message for text. */
function readable(data: string): string {
  return data
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

let dir: string;
let db: Database.Database;
const cleanups: (() => Promise<void>)[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-alerts-'));
  db = openTrackerDb(path.join(dir, 'tracker.db'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('webhook', () => {
  it('a problem over three runs gives exactly one alert, then exactly one "cleared"', async () => {
    const hook = await receiver();
    cleanups.push(hook.close);
    const cfg: AlertConfig = { ...NONE, webhookUrl: hook.url };
    for (const run of [0, 1, 2]) {
      const outcome = await notifyRunProblems(new Tracker(db, () => new Date()), cfg, JIRA_DOWN, ctx(run));
      expect(outcome.sent).toEqual(run === 0 ? [{ fingerprint: 'run-failed:dependency:Jira', kind: 'opened', channel: 'webhook', ok: true }] : []);
    }
    expect(hook.posts).toHaveLength(1);
    const opened = hook.posts[0] ?? {};
    expect(opened).toMatchObject({ '@type': 'MessageCard', summary: '[jira-sync] PROBLEM: Runs stop: Jira is unavailable' });
    expect(opened.content).toContain('Jira: 503 Service Unavailable');
    expect(opened.text).toContain('Runs stop: Jira is unavailable');

    const cleared = await notifyRunProblems(new Tracker(db, () => new Date()), cfg, [], ctx(3));
    expect(cleared.sent).toEqual([{ fingerprint: 'run-failed:dependency:Jira', kind: 'cleared', channel: 'webhook', ok: true }]);
    expect(hook.posts).toHaveLength(2);
    expect(hook.posts[1]?.content).toMatch(/RESOLVED: Runs stop: Jira is unavailable[\s\S]*Runs: 3[\s\S]*Lasted: 45 min/);

    await notifyRunProblems(new Tracker(db, () => new Date()), cfg, [], ctx(4));
    expect(hook.posts).toHaveLength(2);
  });

  it('a receiver answering 500: notify resolves with ok:false, and the next run delivers the alert once', async () => {
    const hook = await receiver();
    cleanups.push(hook.close);
    hook.status = 500;
    const cfg: AlertConfig = { ...NONE, webhookUrl: hook.url };
    const failed = await notifyRunProblems(new Tracker(db, () => new Date()), cfg, JIRA_DOWN, ctx(0));
    expect(failed.sent).toEqual([{ fingerprint: 'run-failed:dependency:Jira', kind: 'opened', channel: 'webhook', ok: false, error: 'HTTP 500: boom' }]);

    hook.status = 200;
    expect((await notifyRunProblems(new Tracker(db, () => new Date()), cfg, JIRA_DOWN, ctx(1))).sent).toMatchObject([{ kind: 'opened', ok: true }]);
    expect((await notifyRunProblems(new Tracker(db, () => new Date()), cfg, JIRA_DOWN, ctx(2))).sent).toEqual([]);
    expect(hook.posts).toHaveLength(2); // the failed attempt and the one that got through
  });

  it('a closed port: ok:false, and neither the outcome nor the log shows the webhook token', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const url = `http://127.0.0.1:${await closedPort()}/api/webhooks/123/secretWebhookToken`;
    const outcome = await notifyRunProblems(new Tracker(db, () => new Date()), { ...NONE, webhookUrl: url }, JIRA_DOWN, { ...ctx(0), log });
    expect(outcome.sent).toMatchObject([{ channel: 'webhook', ok: false, error: expect.stringMatching(/ECONNREFUSED/) }]);
    const logged = lines.join('');
    expect(logged).toContain('alert not delivered');
    expect(logged).toContain(`webhook 127.0.0.1:`);
    expect(`${JSON.stringify(outcome)}${logged}`).not.toContain('secretWebhookToken');
  });

  it('a receiver that never answers is cut off by the timeout', async () => {
    const hook = await receiver({ hang: true });
    cleanups.push(hook.close);
    const started = Date.now();
    const outcome = await notifyRunProblems(new Tracker(db, () => new Date()), { ...NONE, webhookUrl: hook.url, timeoutMs: 300 }, JIRA_DOWN, ctx(0));
    expect(outcome.sent).toMatchObject([{ ok: false, error: 'no answer within 300 ms' }]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a parked submission alerts once, stays open while parked, and clears after it is no longer parked', async () => {
    const hook = await receiver();
    cleanups.push(hook.close);
    const cfg: AlertConfig = { ...NONE, webhookUrl: hook.url };
    const tracker = new Tracker(db, () => at(0));
    await tracker.register({ sourceTs: '2026-11-23T08:59:00.000000Z', sourceId: '42' }, 'key42', { id: 42 }, 'run-0');
    expect((await tracker.claimForCreate('key42', 'run-0'))).toBe(true);
    await tracker.markFailed('key42', 'failed:jira-rejected', 'HTTP 400: customfield_10010 is required', null);
    expect((await tracker.get('key42'))?.state).toBe('parked');

    const parked = problemsFromRun({ exitCode: 1, failed: 0, parkedKeys: [{ key: 'key42', sourceId: '42', error: 'HTTP 400: customfield_10010 is required' }], runId: 'run-0' });
    expect((await notifyRunProblems(new Tracker(db, () => new Date()), cfg, parked, ctx(0))).sent).toMatchObject([{ fingerprint: 'parked:key42', kind: 'opened', ok: true }]);
    expect(hook.posts[0]?.content).toContain('customfield_10010 is required');
    // Later runs do not report it (parked submissions are not retried), and nothing is sent.
    for (const run of [1, 2]) expect((await notifyRunProblems(new Tracker(db, () => new Date()), cfg, [], ctx(run))).sent).toEqual([]);
    db.prepare(`UPDATE submissions SET state = 'done' WHERE key = 'key42'`).run(); // as after `jira-sync retry` and success
    expect((await notifyRunProblems(new Tracker(db, () => new Date()), cfg, [], ctx(3))).sent).toMatchObject([{ fingerprint: 'parked:key42', kind: 'cleared', ok: true }]);
    expect(hook.posts).toHaveLength(2);
  });
});

describe('email', () => {
  it('sends one message with the title, to every address, from jira-sync@<host> by default', async () => {
    const smtp = await smtpServer();
    cleanups.push(smtp.close);
    const cfg: AlertConfig = { ...NONE, smtpUrl: `smtp://127.0.0.1:${smtp.port}/?ignoreTLS=true`, emailTo: 'ops@example.com, oncall@example.com' };
    const problem: RunProblem = { fingerprint: 'run-failed:dependency:PostgreSQL', title: 'Runs stop: PostgreSQL is unavailable', detail: 'ECONNREFUSED' };
    const outcome = await notifyRunProblems(new Tracker(db, () => new Date()), cfg, [problem], ctx(0));
    expect(outcome.sent).toEqual([{ fingerprint: problem.fingerprint, kind: 'opened', channel: 'email', ok: true }]);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0] as Mail;
    expect(mail.envelope).toEqual(['MAIL FROM:<jira-sync@box1>', 'RCPT TO:<ops@example.com>', 'RCPT TO:<oncall@example.com>']);
    const text = readable(mail.data);
    expect(text).toContain('Subject: [jira-sync] PROBLEM: Runs stop: PostgreSQL is unavailable');
    expect(text).toMatch(/\r\n\r\n[\s\S]*PROBLEM: Runs stop: PostgreSQL is unavailable/); // in the body too

    await notifyRunProblems(new Tracker(db, () => new Date()), cfg, [problem], ctx(1));
    expect(smtp.mails).toHaveLength(1);
  });

  it('a dead mail server does not stop the webhook, and its password is never shown', async () => {
    const hook = await receiver();
    cleanups.push(hook.close);
    const smtpUrl = `smtp://alerts:Sm7pPa55word@127.0.0.1:${await closedPort()}`;
    const cfg: AlertConfig = { ...NONE, webhookUrl: hook.url, smtpUrl, emailTo: 'ops@example.com' };
    const outcome = await notifyRunProblems(new Tracker(db, () => new Date()), cfg, JIRA_DOWN, ctx(0));
    expect(outcome.sent).toEqual([
      { fingerprint: 'run-failed:dependency:Jira', kind: 'opened', channel: 'webhook', ok: true },
      { fingerprint: 'run-failed:dependency:Jira', kind: 'opened', channel: 'email', ok: false, error: expect.stringMatching(/ECONNREFUSED/) },
    ]);
    expect(JSON.stringify(outcome)).not.toContain('Sm7pPa55word');
    // Delivered on one channel: not repeated on the next run.
    expect((await notifyRunProblems(new Tracker(db, () => new Date()), cfg, JIRA_DOWN, ctx(1))).sent).toEqual([]);
  });

  it('an SMTP error quoting the password is redacted in the outcome and the log', async () => {
    const smtp = await smtpServer({ rejectAuthEchoing: 'user alerts password Sm7pPa55word' });
    cleanups.push(smtp.close);
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const cfg: AlertConfig = { ...NONE, smtpUrl: `smtp://alerts:Sm7pPa55word@127.0.0.1:${smtp.port}/?ignoreTLS=true`, emailTo: 'ops@example.com' };
    const outcome = await notifyRunProblems(new Tracker(db, () => new Date()), cfg, JIRA_DOWN, { ...ctx(0), log });
    expect(outcome.sent).toMatchObject([{ channel: 'email', ok: false, error: expect.stringMatching(/535 5\.7\.8 rejected user alerts password \[REDACTED\]/) }]);
    expect(`${JSON.stringify(outcome)}${lines.join('')}`).not.toContain('Sm7pPa55word');
    expect(smtp.mails).toHaveLength(0);
  });
});
