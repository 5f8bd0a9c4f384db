// Console lines fit 100 columns: wrapped at spaces, continuations indented, spacing kept.
import { describe, expect, it } from 'vitest';
import { wrapLine, wrapText } from '../../src/wrap.js';

describe('wrapLine', () => {
  it('leaves a short line alone and keeps the spaces inside a line', () => {
    expect(wrapLine('ok   tracker: fine', 5)).toEqual(['ok   tracker: fine']);
    const long = `ok   tracker: ${'word '.repeat(30).trim()}`;
    const lines = wrapLine(long, 5, 40);
    expect(lines[0]!.startsWith('ok   tracker: word')).toBe(true);
    expect(lines.every((l) => l.length <= 40)).toBe(true);
    expect(lines.slice(1).every((l) => l.startsWith('     word'))).toBe(true);
    expect(lines.join(' ').replace(/ +/g, ' ')).toBe(long.replace(/ +/g, ' '));
  });

  it('cuts a word wider than the line', () => {
    const lines = wrapLine(`path: /${'x'.repeat(150)}`, 2, 100);
    expect(lines.every((l) => l.length <= 100)).toBe(true);
    expect(lines.join('').replace(/ /g, '')).toBe(`path:/${'x'.repeat(150)}`);
  });

  it('wraps each line of a text under its own indent', () => {
    const out = wrapText(`  ${'a '.repeat(60).trim()}\nshort`, 2, 50).split('\n');
    expect(out.at(-1)).toBe('short');
    expect(out.slice(1, -1).every((l) => l.startsWith('    a'))).toBe(true);
  });
});
