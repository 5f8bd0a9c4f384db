// optimiseLater (src/jitBudget.ts), in a child process: V8's flags are the process's. The
// same hot function, called as often each time, is optimised by TurboFan with V8's default
// budget and not yet with the run's, which shows the flag set at run time takes effect.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hasInterruptBudget } from '../../src/jitBudget.js';

const script = (later: boolean) => `
import { optimiseLater } from './src/jitBudget.ts';
if (${later}) optimiseLater();
function hot(s) { let t = 0; for (let i = 0; i < s.length; i++) t += s.charCodeAt(i) * i; return t; }
let sum = 0;
for (let i = 0; i < 300; i++) sum += hot('abcdefghij' + i);
console.log(sum > 0);
`;

/** How many times V8 finished optimising \`hot\` with TurboFan. */
function turbofanCompilations(later: boolean): number {
  const r = spawnSync(process.execPath, ['--trace-opt', '--import', 'tsx', '--input-type=module', '-e', script(later)], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((l) => /completed (optimizing|compiling).*JSFunction hot .*TURBOFAN/.test(l)).length;
}

describe('optimiseLater', () => {
  it.runIf(hasInterruptBudget())('leaves a function that a default budget would optimise unoptimised a while longer', () => {
    expect(turbofanCompilations(false)).toBeGreaterThan(0);
    expect(turbofanCompilations(true)).toBe(0);
  }, 60_000);

  it('sets nothing where V8 has no such flag, so nothing is printed on standard error', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(true)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('true');
    expect(hasInterruptBudget('11.3.244.8-node.38')).toBe(true);
    expect(hasInterruptBudget('12.4.254.21-node.57')).toBe(false);
    expect(hasInterruptBudget('13.6.233.10-node.28')).toBe(false);
  }, 60_000);
});
