// `jira-sync pull [--full]`: bring the write-back table up to date with Jira, nothing else (main.ts, pullJob).
import type { ResolvedConfig } from '../config.js';
import { pullJob } from '../main.js';

export function pullCommand(config: ResolvedConfig, opts: { full: boolean }): Promise<number> {
  return pullJob(config, opts);
}
