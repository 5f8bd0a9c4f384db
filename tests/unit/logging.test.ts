import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  createLogging,
  formatSummaryLine,
  makeRedactor,
  redactUrlPassword,
  type Logging,
  type LoggingOptions,
} from '../../src/logging/index.js';
import { redactJsonLine } from '../../src/logging/redact.js';

const NOW = new Date('2026-11-23T09:15:02.345Z');
const TOKEN = 'atl-TOKEN-9f8e7d6c5b4a';
const PAT = 'pat_Zq81xYwV';
const DB_PASSWORD = 'pg-Pa55word';
const DATABASE_URL = `postgres://sync:${DB_PASSWORD}@db.internal:5432/forms`;
// ESC, built at runtime so the regex literal has no control character in it.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);

/** Captures console output without any stream buffering in between. */
function capture(): { stream: NodeJS.WritableStream; text: () => string } {
  const chunks: string[] = [];
  const stream = {
    write(chunk: unknown): boolean {
      chunks.push(String(chunk));
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { stream, text: () => chunks.join('') };
}

function readJsonLines(file: string): Array<Record<string, unknown>> {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

let dir: string;
let logDir: string;
const open: Logging[] = [];

function make(over: Partial<LoggingOptions> = {}): { logging: Logging; console: () => string } {
  const out = capture();
  const logging = createLogging({
    logDir,
    level: 'info',
    runId: 'run-7f3c',
    secrets: [TOKEN, PAT, DB_PASSWORD],
    now: () => NOW,
    console: { stream: out.stream, isTTY: false, noColor: false },
    ...over,
  });
  open.push(logging);
  return { logging, console: out.text };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-logging-'));
  logDir = path.join(dir, 'logs');
});

afterEach(() => {
  for (const l of open.splice(0)) l.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('per-module JSON files', () => {
  it('writes each module to <module>.log with runId, module and child key/sourceId', () => {
    const { logging } = make();
    logging.forModule('tracker').child({ key: 'sub-42', sourceId: 42 }).info({ issueKey: 'SD-1' }, 'recorded');
    logging.forModule('create_ticket').child({ key: 'sub-42', sourceId: 42 }).info('created request');
    logging.forModule('main').info('run started');

    const tracker = readJsonLines(path.join(logDir, 'tracker.log'));
    expect(tracker).toHaveLength(1);
    expect(tracker[0]).toMatchObject({
      level: 'info',
      runId: 'run-7f3c',
      module: 'tracker',
      key: 'sub-42',
      sourceId: 42,
      issueKey: 'SD-1',
      msg: 'recorded',
      time: NOW.toISOString(),
    });
    const ticket = readJsonLines(path.join(logDir, 'create_ticket.log'));
    expect(ticket).toEqual([expect.objectContaining({ module: 'create_ticket', key: 'sub-42', runId: 'run-7f3c' })]);
    const main = readJsonLines(path.join(logDir, 'main.log'));
    expect(main).toEqual([expect.objectContaining({ module: 'main', msg: 'run started', runId: 'run-7f3c' })]);
    expect(main[0]).not.toHaveProperty('key');
  });

  it('caches one logger per module and rejects names that could escape the log dir', () => {
    const { logging } = make();
    expect(logging.forModule('unique_key')).toBe(logging.forModule('unique_key'));
    expect(() => logging.forModule('../etc')).toThrow(/invalid module name/);
    expect(() => logging.forModule('Tracker')).toThrow(/invalid module name/);
    expect(fs.readdirSync(logDir).sort()).toEqual(['unique_key.log']);
  });

  it('keeps lines logged before a SIGKILL (synchronous writes)', () => {
    const script = path.join(dir, 'killed.ts');
    const indexUrl = new URL('../../src/logging/index.ts', import.meta.url).href;
    fs.writeFileSync(
      script,
      `import { createLogging } from ${JSON.stringify(indexUrl)};
const l = createLogging({ logDir: ${JSON.stringify(logDir)}, level: 'info', runId: 'killed-run', secrets: [] });
for (let i = 0; i < 50; i++) l.forModule('create_ticket').info({ i }, 'line');
process.kill(process.pid, 'SIGKILL');
`,
    );
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const res = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(res.signal).toBe('SIGKILL');
    const lines = readJsonLines(path.join(logDir, 'create_ticket.log'));
    expect(lines).toHaveLength(50);
    expect(lines[49]).toMatchObject({ i: 49, runId: 'killed-run' });
  });

  it('still writes lines logged after close()', () => {
    const { logging } = make();
    const log = logging.forModule('attach_submission');
    log.info('before');
    logging.close();
    log.info('after');
    expect(readJsonLines(path.join(logDir, 'attach_submission.log')).map((r) => r.msg)).toEqual(['before', 'after']);
  });

  it('writes nothing to disk when fileLogging is false', () => {
    const { logging, console } = make({ fileLogging: false });
    logging.forModule('main').error('console only');
    logging.summary('dry summary');
    expect(fs.existsSync(logDir)).toBe(false);
    expect(console()).toContain('console only');
    expect(console()).toContain('dry summary');
  });
});

describe('redaction', () => {
  it('removes secrets from messages, nested fields, URLs, Error message and stack', () => {
    const { logging, console } = make();
    const log = logging.forModule('field_mapping');
    log.error({ nested: { deeper: [`Bearer-less ${PAT}`] }, db: DATABASE_URL }, `jira said no to ${TOKEN}`);
    log.error({ err: new Error(`401 for token ${TOKEN} "quoted"`) }, 'request failed');
    log.error({ headers: { authorization: 'Basic c3luY0BleGFtcGxlLmNvbTp4eHg=' }, password: 'hunter2' }, 'keys');

    const raw = fs.readFileSync(path.join(logDir, 'field_mapping.log'), 'utf8');
    for (const secret of [TOKEN, PAT, DB_PASSWORD, 'c3luY0BleGFtcGxlLmNvbTp4eHg=', 'hunter2']) {
      expect(raw).not.toContain(secret);
      expect(console()).not.toContain(secret);
    }
    const [first, second, third] = readJsonLines(path.join(logDir, 'field_mapping.log'));
    expect(first).toMatchObject({
      msg: 'jira said no to [REDACTED]',
      nested: { deeper: ['Bearer-less [REDACTED]'] },
      db: 'postgres://sync:[REDACTED]@db.internal:5432/forms',
    });
    const err = second?.err as { message: string; stack: string };
    expect(err.message).toBe('401 for token [REDACTED] "quoted"');
    expect(err.stack).toContain('401 for token [REDACTED]');
    expect(third).toMatchObject({ headers: { authorization: '[REDACTED]' }, password: '[REDACTED]' });
  });

  it('redacts the summary line and exposes the redactor', () => {
    const { logging, console } = make();
    logging.summary(`run failed: ${DATABASE_URL}`);
    const summary = fs.readFileSync(path.join(logDir, 'summary.log'), 'utf8');
    expect(summary).toBe('run failed: postgres://sync:[REDACTED]@db.internal:5432/forms\n');
    expect(console()).not.toContain(DB_PASSWORD);
    expect(logging.redact(`x${PAT}y`)).toBe('x[REDACTED]y');
  });

  it('makeRedactor: encoded forms, longest match, blank secrets ignored', () => {
    const r = makeRedactor(['p@ss/word', 'abc', 'abcdef', '', '  ']);
    expect(r('url p%40ss%2Fword and raw p@ss/word')).toBe('url [REDACTED] and raw [REDACTED]');
    expect(r('abcdef-abc')).toBe('[REDACTED]-[REDACTED]');
    expect(r('nothing secret here')).toBe('nothing secret here');
    expect(r('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload')).toBe('Authorization: Bearer [REDACTED]');
    expect(r('Basic information')).toBe('Basic information');
  });

  it('makeRedactor: a short secret only where it stands as a whole token, so ordinary words survive', () => {
    const r = makeRedactor(['on', 'example']);
    expect(r('check the configuration; for instance, see the examples')).toBe('check the configuration; for instance, see the examples');
    expect(r('password on rejected; user example')).toBe('password [REDACTED] rejected; user [REDACTED]');
    expect(r('postgres://sync:on@db/forms')).toBe('postgres://sync:[REDACTED]@db/forms');
    // A long value is redacted wherever it stands, even glued to other text.
    expect(makeRedactor(['tok-1234567890ab'])('xtok-1234567890aby')).toBe('x[REDACTED]y');
  });

  it('makeRedactor: credentials by where they stand (Authorization headers, URL-encoded, query tokens)', () => {
    const r = makeRedactor([]);
    expect(r('"authorization":"abcdef0123456789"')).toBe('"authorization":"[REDACTED]"');
    expect(r('Authorization: Basic%20cm9ib3RAZXhhbXBsZS5jb206dG9rZW4%3D')).toBe('Authorization: Basic%20[REDACTED]');
    expect(r('GET /x?api_token=abc123&x=1')).toBe('GET /x?api_token=[REDACTED]&x=1');
    expect(r('Authorization failed for this request')).toBe('Authorization failed for this request');
  });

  it('keeps the JSON valid when a secret looks like structure (numeric password)', () => {
    const { logging } = make({ secrets: ['2026', 'info', 'pa"ss'] });
    logging.forModule('main').info({ year: 2026, note: 'since 2026', quoted: 'x pa"ss y' }, 'n');
    const raw = fs.readFileSync(path.join(logDir, 'main.log'), 'utf8');
    expect(raw).not.toContain('pa\\"ss');
    const [rec] = readJsonLines(path.join(logDir, 'main.log'));
    expect(rec).toMatchObject({
      level: 'info',
      time: NOW.toISOString(),
      year: 2026,
      note: 'since [REDACTED]',
      quoted: 'x [REDACTED] y',
    });
  });

  it('redactJsonLine: its quick look at the whole line never lets through what redacting each literal would catch', () => {
    // Lines built to trip the quick look: secrets and credential shapes split over keys and values,
    // next to quotes and escapes. The redactor without `mayFind` takes the long way on every line.
    const r = makeRedactor(['on', 'pa"ss', 'tok-1234567890ab', '2026', 'p@ss/word']);
    const longWay = (v: string) => r(v);
    const parts = ['on', 'pa"ss', 'tok-1234567890ab', 'tok-1234567890a', '2026', 'p%40ss%2Fword', 'postgres://u:', 'x', '@h/db', 'Bearer ',
      'abcdefghijklmnopqr', 'authorization', '":"', ': ', '=', '"', '?password=', '&', ' ', 'Basic', '%20', '\\', '\n', 'é', 'conf', ',', '}',
      ...Array.from({ length: 40 }, (_, i) => `word${i}`)];
    let seed = 7;
    const pick = () => parts[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % parts.length] as string;
    const text = (n: number) => Array.from({ length: n }, pick).join('');
    let slow = 0;
    for (let i = 0; i < 3000; i++) {
      const record: Record<string, unknown> = { level: 'info', time: NOW.toISOString() };
      for (let k = 0; k < 4; k++) record[text(1 + (i % 2))] = i % 5 === 0 ? 2026 : text(1 + (k % 4));
      const line = `${JSON.stringify(record)}\n`;
      const quick = redactJsonLine(line, r);
      expect(quick).toBe(redactJsonLine(line, longWay));
      if (quick !== line) slow++;
    }
    // Both kinds of line were tried: ones with something to redact, and ones without.
    expect(slow).toBeGreaterThan(300);
    expect(slow).toBeLessThan(2700);
  });

  it('redactUrlPassword', () => {
    expect(redactUrlPassword('postgres://user:pass@host/db')).toBe('postgres://user:[REDACTED]@host/db');
    expect(redactUrlPassword('postgres://user:p@ss@host:5432/db?sslmode=require')).toBe(
      'postgres://user:[REDACTED]@host:5432/db?sslmode=require',
    );
    expect(redactUrlPassword('postgres://user@host/db')).toBe('postgres://user@host/db');
    expect(redactUrlPassword('postgres://host/db?user=u&password=secret')).toBe('postgres://host/db?user=u&password=[REDACTED]');
  });
});

describe('daily rolling and retention', () => {
  const yesterdayNoon = new Date('2026-11-22T12:00:00Z');

  function touch(name: string, mtime: Date, content = '{}\n'): string {
    const file = path.join(logDir, name);
    fs.mkdirSync(logDir, { recursive: true });
    fs.writeFileSync(file, content);
    fs.utimesSync(file, mtime, mtime);
    return file;
  }

  it('renames a file last written yesterday and leaves one written today', () => {
    touch('tracker.log', yesterdayNoon, 'old\n');
    touch('unique_key.log', new Date('2026-11-23T00:30:00Z'), 'today\n');
    make();
    expect(fs.readFileSync(path.join(logDir, 'tracker.2026-11-22.log'), 'utf8')).toBe('old\n');
    expect(fs.existsSync(path.join(logDir, 'tracker.log'))).toBe(false);
    expect(fs.readFileSync(path.join(logDir, 'unique_key.log'), 'utf8')).toBe('today\n');
  });

  it('never overwrites an existing rolled file', () => {
    touch('tracker.2026-11-22.log', yesterdayNoon, 'first\n');
    touch('tracker.2026-11-22.1.log', yesterdayNoon, 'second\n');
    touch('tracker.log', yesterdayNoon, 'third\n');
    make();
    expect(fs.readFileSync(path.join(logDir, 'tracker.2026-11-22.log'), 'utf8')).toBe('first\n');
    expect(fs.readFileSync(path.join(logDir, 'tracker.2026-11-22.1.log'), 'utf8')).toBe('second\n');
    expect(fs.readFileSync(path.join(logDir, 'tracker.2026-11-22.2.log'), 'utf8')).toBe('third\n');
  });

  it('deletes rolled files older than retentionDays and keeps newer ones and foreign files', () => {
    touch('tracker.2026-10-23.log', yesterdayNoon); // 31 days before 2026-11-23
    touch('tracker.2026-10-24.log', yesterdayNoon); // 30 days: kept
    touch('main.2026-11-01.3.log', yesterdayNoon);
    touch('notes.txt', new Date('2020-01-01T00:00:00Z'));
    touch('create_ticket.log', new Date('2026-09-01T08:00:00Z')); // rolled, then past retention
    make({ retentionDays: 30 });
    expect(fs.readdirSync(logDir).sort()).toEqual([
      'main.2026-11-01.3.log',
      'notes.txt',
      'tracker.2026-10-24.log',
    ]);
  });

  it("never renames or deletes files it did not create: cron's cron.log survives a day roll", () => {
    touch('cron.log', yesterdayNoon, 'cron output\n');
    touch('cron.2026-10-01.log', yesterdayNoon, 'rotated by the operator\n');
    touch('tracker.log', yesterdayNoon);
    make({ retentionDays: 30 });
    expect(fs.readFileSync(path.join(logDir, 'cron.log'), 'utf8')).toBe('cron output\n');
    expect(fs.readFileSync(path.join(logDir, 'cron.2026-10-01.log'), 'utf8')).toBe('rotated by the operator\n');
    expect(fs.readdirSync(logDir).sort()).toEqual(['cron.2026-10-01.log', 'cron.log', 'tracker.2026-11-22.log']);
  });

  it('honours a shorter retention window', () => {
    touch('tracker.2026-11-20.log', yesterdayNoon);
    touch('tracker.2026-11-21.log', yesterdayNoon);
    make({ retentionDays: 2 });
    expect(fs.readdirSync(logDir).sort()).toEqual(['tracker.2026-11-21.log']);
  });
});

describe('a log file that cannot be written', () => {
  it('a full disk (ENOSPC) is reported once per file, the log call returns, and close() does not hang', () => {
    fs.mkdirSync(logDir, { recursive: true });
    fs.symlinkSync('/dev/full', path.join(logDir, 'tracker.log'));
    const errors: string[] = [];
    const { logging } = make({ onWriteError: (file, err) => errors.push(`${file}: ${(err as NodeJS.ErrnoException).code}`) });
    const log = logging.forModule('tracker');
    for (let i = 0; i < 50; i++) log.info({ i }, 'a line the disk has no room for');
    logging.forModule('main').info('other files still work');
    logging.close();
    expect(errors).toEqual([`${path.join(logDir, 'tracker.log')}: ENOSPC`]);
    expect(readJsonLines(path.join(logDir, 'main.log'))).toHaveLength(1);
  });
});

describe('console', () => {
  it('non-TTY (cron) shows only the summary and errors', () => {
    const { logging, console } = make({ level: 'debug' });
    const log = logging.forModule('create_ticket').child({ key: 'sub-9', sourceId: 9 });
    log.debug('debug detail');
    log.info('created request');
    log.warn('slow response');
    log.error({ err: new Error('jira 500') }, 'create failed');
    logging.summary('the summary');

    const lines = console().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^2026-11-23T09:15:02Z ERROR create_ticket create failed key=sub-9 sourceId=9 err="Error: jira 500"/);
    expect(lines[0]).toContain('runId=run-7f3c');
    expect(lines[1]).toBe('the summary');
    expect(console()).not.toMatch(ANSI);
    // The file still has everything at the configured level.
    expect(readJsonLines(path.join(logDir, 'create_ticket.log'))).toHaveLength(4);
  });

  it('TTY at LOG_LEVEL=debug shows coloured info lines with module, message and key fields', () => {
    const out = capture();
    const { logging } = make({ level: 'debug', console: { stream: out.stream, isTTY: true, noColor: false } });
    logging.forModule('tracker').child({ key: 'sub-1', sourceId: 1 }).info('recorded');
    const text = out.text();
    expect(text).toMatch(ANSI);
    const plain = text.replace(new RegExp(ANSI.source, 'g'), '');
    expect(plain).toBe('2026-11-23T09:15:02Z INFO  tracker recorded key=sub-1 sourceId=1\n');
  });

  it('TTY at the default level shows warnings and errors only, with keys shortened to 12 hex digits', () => {
    const out = capture();
    const { logging } = make({ console: { stream: out.stream, isTTY: true, noColor: true } });
    const key = 'ab'.repeat(32);
    logging.forModule('main').child({ key, sourceId: 1 }).info('submission finished');
    logging.forModule('main').child({ key, sourceId: 1 }).warn('slow');
    expect(out.text()).toBe('2026-11-23T09:15:02Z WARN  main slow key=abababababab… sourceId=1\n');
    expect(readJsonLines(path.join(logDir, 'main.log')).map((r) => r.key)).toEqual([key, key]);
  });

  it('NO_COLOR removes ANSI codes on a TTY', () => {
    const out = capture();
    const { logging } = make({ console: { stream: out.stream, isTTY: true, noColor: true } });
    logging.forModule('tracker').warn('plain');
    expect(out.text()).toBe('2026-11-23T09:15:02Z WARN  tracker plain\n');
  });
});

describe('level filtering', () => {
  it('drops lines below the configured level in files and on the console', () => {
    const out = capture();
    const { logging } = make({ level: 'warn', console: { stream: out.stream, isTTY: true, noColor: true } });
    const log = logging.forModule('main');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(readJsonLines(path.join(logDir, 'main.log')).map((r) => r.msg)).toEqual(['w', 'e']);
    expect(out.text()).not.toContain(' i\n');
    expect(out.text()).toContain('WARN  main w');
  });

  it('passes debug through when asked to', () => {
    const { logging } = make({ level: 'debug' });
    logging.forModule('main').debug('d');
    expect(readJsonLines(path.join(logDir, 'main.log')).map((r) => r.level)).toEqual(['debug']);
  });

  it('silent writes no log lines but the summary still appears', () => {
    const { logging, console } = make({ level: 'silent' });
    logging.forModule('main').fatal('f');
    logging.summary('s');
    expect(fs.readFileSync(path.join(logDir, 'main.log'), 'utf8')).toBe('');
    expect(console()).toBe('s\n');
  });

  it('rejects an unknown level', () => {
    expect(() => make({ level: 'verbose' })).toThrow(/invalid log level/);
  });
});

describe('formatSummaryLine', () => {
  const base = { at: NOW, runId: '7f3c9a', created: 12, skipped: 3, failed: 1, parked: 0, durationMs: 4210 };

  it('formats one human-readable line', () => {
    expect(formatSummaryLine(base)).toBe('2026-11-23T09:15:02Z run 7f3c9a created 12, skipped 3, failed 1, parked 0 in 4.2 s');
  });

  it('marks dry runs and clamps an impossible duration', () => {
    expect(formatSummaryLine({ ...base, dryRun: true, durationMs: -5 })).toBe(
      '2026-11-23T09:15:02Z run 7f3c9a would create 12, skipped 3, failed 1, parked 0 in 0.0 s (dry run, nothing written)',
    );
  });

  it('says why a run stopped early', () => {
    expect(formatSummaryLine({ ...base, created: 0, skipped: 0, failed: 0, stopped: 'PostgreSQL: cannot connect (connection refused)' })).toBe(
      '2026-11-23T09:15:02Z run 7f3c9a created 0, skipped 0, failed 0, parked 0 in 4.2 s; stopped: PostgreSQL: cannot connect (connection refused)',
    );
  });
});
