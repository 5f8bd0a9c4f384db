// Broken local files through the real CLI: a full log disk, a damaged tracker, a damaged lock
// file. Each ends the run in bounded time with one line that names the file and says what to
// do (no JavaScript stack), frees the lock, alerts when a channel is set, and `doctor` shows it.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunLock } from '../../src/adapters/tracker/lock.js';
import { runCli } from '../support/cli.js';
import { trackerRows, useCliHarness, webhookReceiver, type WebhookReceiver } from '../support/harness.js';
import { expectExactlyOnce, trackerStates } from '../support/scenario.js';
import { unwrap } from '../support/text.js';

const h = useCliHarness({ fake: { latencyMs: 20 } });
const LOG_FILES = ['main', 'fetch_submissions', 'unique_key', 'tracker', 'field_mapping', 'create_ticket', 'attach_submission', 'summary'];
const GARBAGE = Buffer.from('this is not a database at all \u0000\u00ff\u00fe'.repeat(200), 'latin1');

let hook: WebhookReceiver;
beforeEach(async () => {
  hook = await webhookReceiver();
});
afterEach(async () => {
  await hook.close();
});

function lockIsFree(): boolean {
  const lockPath = RunLock.lockPathFor(h.ws.trackerPath);
  return RunLock.currentHolder(lockPath) === null && !fs.existsSync(`${lockPath}.holder.json`);
}

const lines = (s: string) => s.trim().split('\n').filter((l) => l !== '');

describe('a full log disk', () => {
  it('ends the run in bounded time with a clear message, frees the lock and alerts; the next run finishes the job', async () => {
    await h.seed(4);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    // Every log file points at /dev/full: each write fails with ENOSPC, as on a full disk.
    fs.mkdirSync(h.ws.logDir, { recursive: true });
    for (const f of LOG_FILES) fs.rmSync(path.join(h.ws.logDir, `${f}.log`), { force: true });
    for (const f of LOG_FILES) fs.symlinkSync('/dev/full', path.join(h.ws.logDir, `${f}.log`));

    const started = Date.now();
    const r = await h.cli(['run'], { ALERT_WEBHOOK_URL: hook.url });
    expect(r.signal, 'the run hung and was killed').toBeNull();
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/cannot write .*\.log: no space left on device/i);
    expect(r.stderr).toContain('LOG_DIR');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(lockIsFree()).toBe(true);
    const states = trackerStates(h.ws);
    expect((states.creating ?? 0) + (states.created ?? 0) + (states.attached ?? 0)).toBe(0);
    expect(hook.posts.map((p) => p.text ?? '').join('\n')).toMatch(/no space left on device/i);

    for (const f of LOG_FILES) fs.rmSync(path.join(h.ws.logDir, `${f}.log`));
    const next = await h.cli(['run']);
    expect(next.code, next.stderr).toBe(0);
    await expectExactlyOnce(h.db, h.jira, h.ws, 4);
  }, 60_000);
});

describe('a damaged tracker', () => {
  it('garbage bytes: one line naming the file and what to do, exit 3, an alert, nothing sent to Jira; doctor shows it', async () => {
    await h.seed(2);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    fs.mkdirSync(path.dirname(h.ws.trackerPath), { recursive: true });
    fs.writeFileSync(h.ws.trackerPath, GARBAGE);

    const r = await h.cli(['run'], { ALERT_WEBHOOK_URL: hook.url });
    expect(r.code, r.stderr).toBe(3);
    expect(lines(r.stderr), r.stderr).toHaveLength(1);
    expect(r.stderr).toContain(h.ws.trackerPath);
    expect(r.stderr).toMatch(/not a SQLite database/);
    // No run ever made a backup (or a high-water mark): no folder to restore from is named.
    expect(r.stderr).toMatch(/there is no backup of it/);
    expect(r.stderr).not.toMatch(/restore the newest copy/);
    expect(fs.readFileSync(h.ws.trackerPath)).toEqual(GARBAGE);
    expect(h.jira.issues).toHaveLength(0);
    expect(lockIsFree()).toBe(true);
    expect(hook.posts).toHaveLength(1);
    expect(hook.posts[0]!.text).toContain(h.ws.trackerPath);

    const status = await h.cli(['status']);
    expect(status.code).toBe(3);
    expect(lines(status.stderr)).toHaveLength(1);
    expect(status.stderr).toContain(h.ws.trackerPath);

    const doctor = await h.cli(['doctor']);
    expect(unwrap(doctor.stdout)).toMatch(new RegExp(`^FAIL tracker: .*${h.ws.trackerPath.replace(/[.]/g, '\\.')}.*not a SQLite database`, 'm'));
  });

  it('with a backup: names the newest one to restore', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    expect((await h.cli(['run'])).code).toBe(0);
    const backups = fs.readdirSync(path.join(path.dirname(h.ws.trackerPath), 'backups'));
    expect(backups).toHaveLength(1);
    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${h.ws.trackerPath}${suffix}`, { force: true });
    fs.writeFileSync(h.ws.trackerPath, GARBAGE);
    const r = await h.cli(['run']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`restore the newest copy, ${path.join(path.dirname(h.ws.trackerPath), 'backups', backups[0] as string)}`);
  });

  it('no backup ever made, but a high-water mark: says so, and the way out it gives creates nothing twice', async () => {
    await h.seed(3);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    expect((await h.cli(['run'])).code).toBe(0);
    expect(h.jira.issues).toHaveLength(3);
    fs.rmSync(path.join(path.dirname(h.ws.trackerPath), 'backups'), { recursive: true });
    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${h.ws.trackerPath}${suffix}`, { force: true });
    fs.writeFileSync(h.ws.trackerPath, GARBAGE);
    const r = await h.cli(['run']);
    expect(r.code).toBe(3);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/restore the newest copy/);
    expect(r.stderr).toMatch(/there is no backup of it/);
    expect(r.stderr).toContain(`${h.ws.trackerPath}.highwater.json`);
    const doctor = await h.cli(['doctor']);
    expect(unwrap(doctor.stdout)).toMatch(/^ +fix: .*there is no backup of it/m);
    // Doing what it says: move the damaged file aside, keep the high-water file, run again.
    fs.renameSync(h.ws.trackerPath, `${h.ws.trackerPath}.damaged`);
    const again = await h.cli(['run']);
    expect(again.code, again.stderr).toBe(0);
    expect(h.jira.issues).toHaveLength(3);
  });

  it('with LOG_LEVEL=debug the stack is shown too', async () => {
    fs.mkdirSync(path.dirname(h.ws.trackerPath), { recursive: true });
    fs.writeFileSync(h.ws.trackerPath, GARBAGE);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const r = await h.cli(['run'], { LOG_LEVEL: 'debug' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});

/** Root ignores file modes: as root, run the CLI as `nobody`, owning the workspace. */
function asUnprivileged(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const walk = (p: string): void => {
    fs.chownSync(p, 65534, 65534);
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(h.ws.dir);
  return { uid: 65534, gid: 65534 };
}

describe('a read-only tracker', () => {
  it('one line naming the file and what to do, exit 3, nothing sent to Jira; doctor shows it', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    expect((await h.cli(['run'])).code).toBe(0);
    await h.seed(1);
    const user = asUnprivileged();
    fs.chmodSync(h.ws.trackerPath, 0o444);

    const r = await runCli(['run'], { env: h.ws.env, ...user });
    expect(r.code, r.stderr).toBe(3);
    expect(lines(r.stderr), r.stderr).toHaveLength(1);
    expect(r.stderr).toContain(h.ws.trackerPath);
    expect(r.stderr).toMatch(/write access/);
    expect(h.jira.issues).toHaveLength(1);

    const doctor = await runCli(['doctor'], { env: h.ws.env, ...user });
    expect(unwrap(doctor.stdout)).toMatch(/^FAIL tracker: .*not writable/m);
  });
});

describe('an unwritable log file', () => {
  it('the run stops before taking submissions, naming the file; doctor shows it', async () => {
    await h.seed(2);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    fs.mkdirSync(h.ws.logDir, { recursive: true });
    fs.writeFileSync(path.join(h.ws.logDir, 'main.log'), '');
    const user = asUnprivileged();
    fs.chmodSync(path.join(h.ws.logDir, 'main.log'), 0o444);

    const r = await runCli(['run'], { env: h.ws.env, ...user });
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(3);
    // Said once, in the summary line, naming the file, the reason and what to do.
    expect(r.stderr.split('\n').filter((l) => l.includes('EACCES')), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(/stopped: log folder: cannot write .*main\.log: permission denied \(EACCES\).*LOG_DIR/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(h.jira.issues).toHaveLength(0);

    const doctor = await runCli(['doctor'], { env: h.ws.env, ...user });
    expect(unwrap(doctor.stdout)).toMatch(/^FAIL log folder: .*main\.log is not writable/m);
  });
});

describe('a damaged lock file', () => {
  it('one line naming the lock file and what to do, exit 3; doctor shows it; once deleted, runs work', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const lockPath = RunLock.lockPathFor(h.ws.trackerPath);
    fs.mkdirSync(path.dirname(lockPath), { recursive: true });
    fs.writeFileSync(lockPath, GARBAGE);

    const r = await h.cli(['run']);
    expect(r.code, r.stderr).toBe(3);
    expect(lines(r.stderr), r.stderr).toHaveLength(1);
    expect(r.stderr).toContain(lockPath);
    expect(r.stderr).toMatch(/delete it/);
    expect(trackerRows(h.ws)).toEqual([]);

    const doctor = await h.cli(['doctor']);
    expect(unwrap(doctor.stdout)).toMatch(/^FAIL run lock: .*damaged/m);

    fs.rmSync(lockPath);
    expect((await h.cli(['run'])).code).toBe(0);
  });
});
