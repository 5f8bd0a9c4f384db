// doctor's closing line counts failures and warnings in words that cannot be misread.
import { describe, expect, it } from 'vitest';
import { DoctorReport } from '../../src/doctor/report.js';

function closing(fails: number, warns: number): string {
  const lines: string[] = [];
  const r = new DoctorReport((l) => lines.push(l));
  for (let i = 0; i < fails; i++) r.fail({ kind: 'config', what: `f${i}`, detail: 'd', fix: 'x' });
  for (let i = 0; i < warns; i++) r.warn(`w${i}`, 'd', 'x');
  r.finish();
  // The line is wrapped to the console's width: joined again here.
  return lines.slice(lines.lastIndexOf('') + 1).map((l) => l.trim()).join(' ');
}

describe('doctor closing line', () => {
  it('names failures and warnings separately', () => {
    expect(closing(1, 1)).toMatch(/^1 failure, 1 warning: fix the FAIL lines above/);
    expect(closing(2, 3)).toMatch(/^2 failures, 3 warnings: /);
    expect(closing(1, 0)).toMatch(/^1 failure: /);
    expect(closing(0, 2)).toMatch(/^All checks passed \(2 warnings\)\./);
  });
});
