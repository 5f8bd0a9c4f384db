// `jira-sync run`: one batch, start to finish (main.ts), or with --dry-run what it would send.
import type { ResolvedConfig } from '../config.js';
import type { ConsoleOptions } from '../logging/console.js';
import { capYoungGeneration } from '../heapLimits.js';
import { optimiseLater } from '../jitBudget.js';
import { runJob } from '../main.js';
import { dryRun } from '../run/dryRun.js';

export interface RunCommandOptions {
  dryRun: boolean;
  batchSize?: number;
  concurrency?: number;
  print: (line: string) => void;
  /** The console view of the logs (default: stderr). */
  console?: ConsoleOptions;
}

export function runCommand(config: ResolvedConfig, opts: RunCommandOptions): Promise<number> {
  // A run's memory stays flat however long its batch (heapLimits.ts).
  capYoungGeneration();
  // Less of a short run's CPU goes to optimising code it is nearly done with (jitBudget.ts).
  optimiseLater();
  return opts.dryRun ? dryRun(config, opts) : runJob(config, opts);
}
