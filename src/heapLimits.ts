// The main thread's young generation is capped, so a run's memory does not grow with how long
// it runs. V8 doubles the young generation (up to 2 × 16 MB on Node 20, 2 × 32 MB on Node 24)
// each time as many bytes have survived a scavenge since the last doubling as it holds: in a
// long run, with a few windows' submissions always in flight, that point always comes: a run of
// 10,000 submissions peaked at 123 MB without the cap, 111 MB with it, and spent less CPU
// (fewer bytes to copy per scavenge). 4 MB cost CPU for no memory; 16 MB and up gave the memory
// back (BENCHMARKS.md, "Issue 14").
// `--max-semi-space-size` would cap it, but only as a node option given at start (a shebang
// with `env -S`, which some systems' env lacks, or NODE_OPTIONS in every crontab). The growth
// factor is read each time the young generation would grow, so it can be set from here: 2 (the
// default) below the cap, 1 (no growth) at it. It is checked on a timer rather than set once,
// because V8 raises a factor below 2 back to 2 whenever it sets up a heap, and every worker
// thread sets up one. A worker started when the young generation is already at the cap can
// let it grow once more before the next check; a run starts its one worker (the tracker's
// writer) at the beginning, well below the cap.
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

/** The young generation's size (both semi-spaces) at which it stops growing. */
export const YOUNG_GENERATION_CAP_MB = 8;
const CHECK_MS = 100;

let factor = 2;
function check(): void {
  const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  const wanted = young >= YOUNG_GENERATION_CAP_MB * 1024 * 1024 ? 1 : 2;
  // Set each time at the cap: a worker thread's start may have reset it.
  if (wanted === 1 || factor !== 2) v8.setFlagsFromString(`--semi-space-growth-factor=${wanted}`);
  factor = wanted;
}

/** Starts the check; it never keeps the process alive. */
export function capYoungGeneration(): void {
  check();
  // After each garbage collection (where the young generation grows), and on a timer for the
  // reset a worker thread's start makes between two collections.
  new PerformanceObserver(check).observe({ entryTypes: ['gc'] });
  setInterval(check, CHECK_MS).unref();
}
