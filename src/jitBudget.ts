// V8 optimises a function with TurboFan, on its background threads, once the function has run
// a certain amount of its bytecode (its interrupt budget). That pays for itself in a process
// that runs for minutes on the same code; a run is a few seconds of many different functions,
// and measured on a 1,000-ticket run with no latency, V8's background threads spent about
// 0.5 ms of CPU per ticket compiling, a fifth of the run's CPU, for code the run was nearly
// done with (BENCHMARKS.md, "Issue 14, third pass"). A larger budget optimises only the functions that
// stay hot for longer. How much larger was measured both ways: about 7 times V8's own cut a
// 1,000-ticket run's CPU by 8% and left a 10,000-ticket run's as it was; 30 times cut the
// short run's by 9% but cost the long run 38% more, so it is not that.
// The flag can be set from here because V8 reads it each time it gives a function its budget,
// which for nearly all of a run's functions is their first call, after this.
// Only V8 11 (Node 20) has this flag. V8 12 and later (Node 22, 24) count calls instead, with
// Maglev, a cheaper compiler, in between; a flag V8 does not know is printed as an error on
// standard error, so none is set there, and those runs are as they were (not measured).
import v8 from 'node:v8';

/** Bytecode budget before a function is considered for TurboFan (V8 11's default, as `node --v8-options` prints it: 67,584 bytes, 66 KiB). */
export const INTERRUPT_BUDGET = 500_000;

/** Whether this V8 has `--interrupt-budget` (V8 11 and before). */
export const hasInterruptBudget = (v8Version = process.versions.v8): boolean => Number(v8Version.split('.')[0]) <= 11;

/** Called once, at the start of `jira-sync run`. */
export function optimiseLater(): void {
  if (hasInterruptBudget()) v8.setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}
