// Doctor's checks on this machine: the tracker, the run lock, the log folder, the alert
// channels. None of them creates, opens for writing or locks anything.
import fs from 'node:fs';
import path from 'node:path';
import { damagedTrackerFix } from '../adapters/tracker/backup.js';
import { LockFileError, RunLock, describeHolder } from '../adapters/tracker/lock.js';
import { readMovedNote } from '../adapters/tracker/moved.js';
import { SCHEMA_VERSION } from '../adapters/tracker/schema.js';
import { webhookLabel } from '../alerts/channels.js';
import type { ResolvedConfig } from '../config.js';
import { errorMessage } from '../errors.js';
import { OWN_LOG_FILES } from '../logging/files.js';
import { LOG_TO_STDOUT } from '../logging/stdout.js';
import type { DoctorReport } from './report.js';

/** The folder a path would be created in: itself or its closest ancestor that exists. */
function nearestExisting(p: string): string {
  let dir = path.resolve(p);
  while (!fs.existsSync(dir)) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

/** Why files cannot be made in `dir`, or null when they can. */
function notWritableDir(dir: string): string | null {
  try {
    if (!fs.statSync(dir).isDirectory()) return `${dir} is not a folder`;
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return null;
  } catch (err) {
    return `${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`;
  }
}

/** Below this, a run would fail part-way: SQLite's WAL and a day of logs need more. */
const MIN_FREE_BYTES = 1024 * 1024;

/** Why the disk holding `dir` is too full for a run, or null (also when the OS cannot say). */
function diskFull(dir: string): string | null {
  try {
    const s = fs.statfsSync(dir);
    const free = s.bavail * s.bsize;
    return free < MIN_FREE_BYTES ? `the disk holding ${dir} is full (${Math.floor(free / 1024)} KiB free)` : null;
  } catch {
    return null;
  }
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/**
 * The schema version straight from the file header (bytes 60-63, PRAGMA user_version).
 * Opening the file with SQLite, even read-only, leaves -wal/-shm files beside a WAL database,
 * and doctor promises to create nothing.
 */
function readUserVersion(file: string): number | string {
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  try {
    const n = fs.readSync(fd, header, 0, 100, 0);
    if (n === 0) return 0; // an empty file: SQLite treats it as a new, empty database
    if (n < 100 || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) return 'it is not a SQLite database';
    return header.readUInt32BE(60);
  } finally {
    fs.closeSync(fd);
  }
}

export function checkTrackerFile(r: DoctorReport, file: string): void {
  const what = 'tracker';
  const whereTo = 'the user cron runs jira-sync as';
  if (!fs.existsSync(file)) {
    const base = nearestExisting(path.dirname(path.resolve(file)));
    const problem = notWritableDir(base);
    if (problem) {
      r.fail({ kind: 'dependency', what, detail: `${file} does not exist yet and cannot be created: ${problem}`, fix: `make ${base} writable for ${whereTo}, or set TRACKER_PATH to a writable place` });
    } else {
      r.ok(what, `${file} does not exist yet; the first run creates it (${base} is writable)`);
    }
    return;
  }
  let version: number | string;
  try {
    version = readUserVersion(file);
  } catch (err) {
    version = errorMessage(err);
  }
  if (typeof version === 'string') {
    r.fail({ kind: 'dependency', what, detail: `${file} cannot be read: ${version}`, fix: `check TRACKER_PATH; if the file is damaged: ${damagedTrackerFix(file)}` });
    return;
  }
  if (version > SCHEMA_VERSION) {
    r.fail({ kind: 'dependency', what, detail: `${file} has schema version ${version}, newer than this jira-sync understands (${SCHEMA_VERSION})`, fix: 'install the jira-sync version that last wrote it, or a newer one' });
    return;
  }
  // SQLite writes the file and, in WAL mode, a -wal and -shm file beside it.
  let problem: string | null = notWritableDir(path.dirname(path.resolve(file)));
  try {
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
  } catch (err) {
    problem ??= `${file} is not writable (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`;
  }
  if (problem) {
    r.fail({ kind: 'dependency', what, detail: problem, fix: `give ${whereTo} write access to ${file} and its folder` });
    return;
  }
  const full = diskFull(path.dirname(path.resolve(file)));
  if (full) {
    r.fail({ kind: 'dependency', what, detail: full, fix: 'free space on that disk, or move the tracker (TRACKER_PATH) to one with room' });
    return;
  }
  const moved = readMovedNote(file);
  if (moved) {
    r.fail({
      kind: 'config',
      what,
      detail: `${file} was copied to PostgreSQL (schema ${moved.schema}) at ${moved.at} by \`jira-sync tracker copy-to-postgres\`, and TRACKER_DATABASE_URL is not set: a run or retry on this file is refused`,
      fix: `set TRACKER_DATABASE_URL (and TRACKER_SCHEMA=${moved.schema}) as on the other hosts (README, "Several hosts")`,
    });
    return;
  }
  const upgrade = version < SCHEMA_VERSION ? `; the next run upgrades it to ${SCHEMA_VERSION}` : '';
  r.ok(what, `${file} is writable (schema version ${version}${upgrade})`);
}

export function checkLock(r: DoctorReport, trackerPath: string, now: Date): void {
  const what = 'run lock';
  let holder: ReturnType<typeof RunLock.currentHolder>;
  try {
    holder = RunLock.currentHolder(RunLock.lockPathFor(trackerPath));
  } catch (err) {
    if (err instanceof LockFileError) r.fail({ kind: 'dependency', what, detail: err.detail, fix: err.fix });
    else r.warn(what, `cannot tell whether a run holds it (${errorMessage(err)})`, `check ${RunLock.lockPathFor(trackerPath)} is readable`);
    return;
  }
  if (holder === null) {
    r.ok(what, 'free');
    return;
  }
  // Held is normal while cron's run is going; the OS frees the lock when the holder dies, so
  // a lock held for long means a run that is alive but stuck.
  if (holder === 'unknown') {
    r.warn(what, 'held by a run (holder unknown)', 'wait for the run to finish; `jira-sync status` shows it');
    return;
  }
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(holder.startedAt)) / 60_000));
  r.warn(what, `held by ${describeHolder(holder)} (${minutes} min ago)`, `a run is in progress; if it is still there long after a run should have ended, look at process ${holder.pid} on ${holder.host}`);
}

/** The first of jira-sync's own log files that exists but cannot be appended to. */
function unwritableLogFile(logDir: string): string | null {
  for (const name of OWN_LOG_FILES) {
    const file = path.join(logDir, `${name}.log`);
    try {
      fs.accessSync(file, fs.constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') return `${file} is not writable (${code ?? errorMessage(err)})`;
    }
  }
  return null;
}

export function checkLogDir(r: DoctorReport, logDir: string): void {
  const what = 'log folder';
  if (logDir === LOG_TO_STDOUT) {
    r.ok(what, 'none: LOG_DIR=- sends the logs and the summary to standard output as JSON lines');
    return;
  }
  const exists = fs.existsSync(logDir);
  const dir = exists ? logDir : nearestExisting(logDir);
  const problem = notWritableDir(dir) ?? (exists ? unwritableLogFile(logDir) : null);
  if (problem) {
    r.fail({ kind: 'dependency', what, detail: problem, fix: `make ${problem.split(' ')[0]} writable for the user cron runs jira-sync as, or set LOG_DIR to a writable folder` });
    return;
  }
  const full = diskFull(dir);
  if (full) {
    r.fail({ kind: 'dependency', what, detail: full, fix: 'free space on that disk (runs stop when they cannot log), or set LOG_DIR to a folder on one with room' });
    return;
  }
  r.ok(what, exists ? `${logDir} is writable` : `${logDir} does not exist yet; the first run creates it (${dir} is writable)`);
}

export function checkAlerts(r: DoctorReport, config: ResolvedConfig): void {
  const channels: string[] = [];
  // Only the webhook's host is shown: its path is the credential.
  if (config.alertWebhookUrl) channels.push(webhookLabel(config.alertWebhookUrl));
  if (config.smtpUrl && config.alertEmailTo) channels.push(`email to ${config.alertEmailTo}`);
  if (channels.length > 0) r.ok('alerts', `${channels.join(' and ')} (nothing sent now)`);
  else r.warn('alerts', 'no alert channel is set, so nobody hears of a failing run', 'set ALERT_WEBHOOK_URL (Slack, Teams, Discord) or SMTP_URL + ALERT_EMAIL_TO (see README, Alerts)');
}
