// The progress line: drawn in place on a terminal, silent everywhere else.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/progress.js';

function sink(): { stream: Writable; writes: string[]; text: () => string } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  return { stream, writes, text: () => writes.join('') };
}

const ESC = '\u001b[';
const saved = { NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('createProgress', () => {
  it('writes nothing at all when the stream is not a terminal (cron)', () => {
    const s = sink();
    const p = createProgress({ stream: s.stream, isTTY: false, total: 3 });
    p.update({ done: 1, created: 1, failed: 0 });
    p.end();
    expect(s.writes).toEqual([]);
  });

  it('redraws one line with a carriage return, showing n/N, created and failed', () => {
    const s = sink();
    const p = createProgress({ stream: s.stream, isTTY: true, total: 12, noColor: true });
    p.update({ done: 1, created: 1, failed: 0 });
    p.update({ done: 2, created: 1, failed: 1 });
    expect(s.writes).toEqual(['\rSubmissions  1/12: created 1, failed 0', '\rSubmissions  2/12: created 1, failed 1']);
    expect(s.text()).not.toContain('\n');
  });

  it('ends the line exactly once, so the summary starts on a line of its own', () => {
    const s = sink();
    const p = createProgress({ stream: s.stream, isTTY: true, total: 2, noColor: true });
    p.update({ done: 2, created: 2, failed: 0 });
    p.end();
    p.end();
    expect(s.text().match(/\n/g)).toHaveLength(1);
    expect(s.text().endsWith('\n')).toBe(true);
  });

  it('end() without any update writes nothing (a batch with no work shows no empty line)', () => {
    const s = sink();
    createProgress({ stream: s.stream, isTTY: true, total: 5, noColor: true }).end();
    expect(s.writes).toEqual([]);
  });

  it('pads a shorter line with spaces so no tail of the previous one is left on screen', () => {
    const s = sink();
    const p = createProgress({ stream: s.stream, isTTY: true, total: 100, noColor: true });
    p.update({ done: 100, created: 50, failed: 50 });
    p.update({ done: 1, created: 1, failed: 0 });
    const [first, second] = s.writes as [string, string];
    expect(second.length).toBe(first.length);
    expect(second.trimEnd()).toBe('\rSubmissions   1/100: created 1, failed 0');
  });

  it('colours the counts on a colour terminal, and only what failed in red', () => {
    const s = sink();
    const p = createProgress({ stream: s.stream, isTTY: true, total: 3, noColor: false });
    p.update({ done: 1, created: 1, failed: 0 });
    p.update({ done: 2, created: 1, failed: 1 });
    expect(s.writes[0]).toContain(`${ESC}32mcreated 1`);
    expect(s.writes[0]).not.toContain(`${ESC}31m`);
    expect(s.writes[1]).toContain(`${ESC}31mfailed 1`);
  });

  it('honours NO_COLOR from the environment when not told otherwise', () => {
    process.env.NO_COLOR = '1';
    const s = sink();
    const p = createProgress({ stream: s.stream, isTTY: true, total: 3 });
    p.update({ done: 1, created: 0, failed: 1 });
    expect(s.text()).toContain('failed 1');
    expect(s.text()).not.toContain(ESC);
  });

  it('uses colour by default when NO_COLOR is unset', () => {
    delete process.env.NO_COLOR;
    process.env.TERM = 'xterm-256color';
    const s = sink();
    createProgress({ stream: s.stream, isTTY: true, total: 3 }).update({ done: 1, created: 1, failed: 0 });
    expect(s.text()).toContain(ESC);
  });

  it('treats TERM=dumb like NO_COLOR: such terminals print escapes literally', () => {
    delete process.env.NO_COLOR;
    process.env.TERM = 'dumb';
    const s = sink();
    createProgress({ stream: s.stream, isTTY: true, total: 3 }).update({ done: 1, created: 1, failed: 0 });
    expect(s.text()).toContain('created 1');
    expect(s.text()).not.toContain(ESC);
  });
});

describe('createProgress and other writers on the same terminal', () => {
  it('erases its line before anything else is written, so a log line never lands glued to it', () => {
    const s = sink();
    const p = createProgress({ stream: s.stream, isTTY: true, total: 3, noColor: true });
    p.update({ done: 1, created: 1, failed: 0 });
    s.stream.write('INFO submission finished\n');
    p.update({ done: 2, created: 2, failed: 0 });
    const line = 'Submissions 1/3: created 1, failed 0';
    expect(s.writes).toEqual([`\r${line}`, `\r${' '.repeat(line.length)}\r`, 'INFO submission finished\n', '\rSubmissions 2/3: created 2, failed 0']);
    p.end();
  });

  it('gives the stream back untouched at end()', () => {
    const s = sink();
    const before = s.stream.write;
    const p = createProgress({ stream: s.stream, isTTY: true, total: 3, noColor: true });
    expect(s.stream.write).not.toBe(before);
    p.end();
    expect(s.stream.write).toBe(before);
    s.stream.write('after\n');
    expect(s.writes).toEqual(['after\n']);
  });

  it('leaves a non-terminal stream alone entirely', () => {
    const s = sink();
    const before = s.stream.write;
    createProgress({ stream: s.stream, isTTY: false, total: 3 });
    expect(s.stream.write).toBe(before);
  });
});
