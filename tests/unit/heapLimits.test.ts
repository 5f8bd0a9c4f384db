// The young-generation cap (src/heapLimits.ts), in a child process: its flags are the process's,
// and a worker thread started after the cap is set must not undo it.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { YOUNG_GENERATION_CAP_MB } from '../../src/heapLimits.js';

// Keeps a few thousand objects alive across scavenges, as submissions in flight do, so the
// young generation would grow, at about a run's pace (the cap is checked every 100 ms, so a
// faster burst can overshoot it by one doubling); a worker thread starts early,
// as the tracker's writer thread does in a run. Prints the largest new space seen.
const script = (cap: boolean) => `
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { capYoungGeneration } from './src/heapLimits.ts';
if (${cap}) capYoungGeneration();
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
let largest = 0;
const live = new Array(30000);
let n = 0;
for (let round = 0; round < 20; round++) {
  if (round === 1) new Worker('setTimeout(() => {}, 10)', { eval: true }).unref();
  for (let i = 0; i < 8000; i++) live[n++ % live.length] = { round, i, text: 'x'.repeat(40) + i };
  await new Promise((r) => setTimeout(r, 110));
  largest = Math.max(largest, newSpace());
}
console.log(largest);
`;

function largestNewSpaceMb(cap: boolean): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(cap)], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  return Number(r.stdout.trim()) / (1024 * 1024);
}

describe('capYoungGeneration', () => {
  it('keeps the young generation at its cap, through a worker thread start', () => {
    // Without the cap the same work grows it past the cap: the test can tell the two apart.
    expect(largestNewSpaceMb(false)).toBeGreaterThan(YOUNG_GENERATION_CAP_MB);
    expect(largestNewSpaceMb(true)).toBeLessThanOrEqual(YOUNG_GENERATION_CAP_MB);
  }, 60_000);
});
