// LOG_DIR=- in-process: the lines a log file would get go to the given descriptor (a file here,
// standing in for standard output) as JSON, the summary as one more JSON object with its
// counts, secrets redacted; no folder is made, and the console view stays silent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogging, LOG_TO_STDOUT, type LoggingOptions } from '../../src/logging/index.js';

const NOW = new Date('2026-11-23T09:15:02.345Z');
const TOKEN = 'atl-TOKEN-9f8e7d6c5b4a';

let dir: string;
let outFile: string;
let fd: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-stdout-'));
  outFile = path.join(dir, 'stdout');
  fd = fs.openSync(outFile, 'w');
});

afterEach(() => {
  fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true, force: true });
});

function make(over: Partial<LoggingOptions> = {}) {
  const chunks: string[] = [];
  const stream = { write: (c: unknown) => chunks.push(String(c)) > 0 } as unknown as NodeJS.WritableStream;
  const logging = createLogging({
    logDir: LOG_TO_STDOUT,
    level: 'info',
    runId: 'run-7f3c',
    secrets: [TOKEN],
    now: () => NOW,
    stdoutFd: fd,
    console: { stream, isTTY: false, noColor: true },
    ...over,
  });
  return { logging, console: () => chunks.join('') };
}

const lines = () => fs.readFileSync(outFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('LOG_DIR=-', () => {
  it('every module line is one JSON object on stdout with its module, runId and key; nothing on the console', () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { logging, console } = make({ level: 'debug' });
      logging.forModule('create_ticket').child({ key: 'k-1', sourceId: 1 }).info({ issueKey: 'HW-1' }, 'created request');
      logging.forModule('tracker').debug('claimed');
      logging.forModule('main', { console: false }).error({ err: new Error(`refused with ${TOKEN}`) }, 'run stopped');
      logging.close();
      expect(lines()).toEqual([
        expect.objectContaining({ level: 'info', module: 'create_ticket', runId: 'run-7f3c', key: 'k-1', sourceId: 1, issueKey: 'HW-1', msg: 'created request', time: NOW.toISOString() }),
        expect.objectContaining({ level: 'debug', module: 'tracker', runId: 'run-7f3c', msg: 'claimed' }),
        expect.objectContaining({ level: 'error', module: 'main', msg: 'run stopped' }),
      ]);
      expect(fs.readFileSync(outFile, 'utf8')).not.toContain(TOKEN);
      // Errors at a non-TTY console would normally be shown there: here stdout has them already.
      expect(console()).toBe('');
      // No folder named "-" (or anything else) was made.
      expect(fs.readdirSync(dir)).toEqual(['stdout']);
    } finally {
      process.chdir(cwd);
    }
  });

  it('the summary is one JSON object with module "summary", the text as msg and the counts beside it', () => {
    const { logging, console } = make({ level: 'silent' });
    logging.forModule('main').error('not shown at silent');
    logging.summary(`2026-11-23T09:15:02Z run run-7f3c created 2, skipped 0, failed 1, parked 0 in 1.0 s; stopped: Jira said ${TOKEN}`, {
      created: 2, skipped: 0, failed: 1, parked: 0, durationMs: 1000, stopped: `Jira said ${TOKEN}`,
    });
    expect(lines()).toEqual([
      {
        level: 'warn', time: NOW.toISOString(), pid: process.pid, hostname: os.hostname(), runId: 'run-7f3c', module: 'summary',
        created: 2, skipped: 0, failed: 1, parked: 0, durationMs: 1000, stopped: 'Jira said [REDACTED]',
        msg: '2026-11-23T09:15:02Z run run-7f3c created 2, skipped 0, failed 1, parked 0 in 1.0 s; stopped: Jira said [REDACTED]',
      },
    ]);
    expect(console()).toBe('');
  });

  it('a run that went well has an info summary', () => {
    const { logging } = make();
    logging.summary('s', { created: 1, skipped: 0, failed: 0, parked: 0, durationMs: 5 });
    expect(lines()).toEqual([expect.objectContaining({ level: 'info', module: 'summary', msg: 's', created: 1 })]);
  });

  it('stdout that cannot be written is reported once, naming it, and later lines are dropped', () => {
    const readOnly = fs.openSync(outFile, 'r');
    const errors: string[] = [];
    try {
      const { logging } = make({ stdoutFd: readOnly, onWriteError: (file, err) => errors.push(`${file}: ${(err as NodeJS.ErrnoException).code}`) });
      for (let i = 0; i < 3; i++) logging.forModule('main').info('lost');
      logging.summary('s');
    } finally {
      fs.closeSync(readOnly);
    }
    expect(errors).toEqual(['standard output (LOG_DIR=-): EBADF']);
  });

  it('without file logging (a dry run) LOG_DIR=- changes nothing: the console view as before, stdout untouched', () => {
    const { logging, console } = make({ fileLogging: false });
    logging.forModule('main').error('shown on the console');
    logging.summary('the summary');
    expect(console()).toContain('ERROR main shown on the console');
    expect(console()).toContain('the summary\n');
    expect(fs.readFileSync(outFile, 'utf8')).toBe('');
  });
});
