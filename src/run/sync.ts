// One batch of a real run, the steps in order: check the table, load the mapping, then the batch
// a window at a time (windows.ts): gather (read-only until there is work), prove Jira answers
// before the first write, register, process. Orchestration only: the adapters own all SQL and
// HTTP. main.ts runs this between the run's record and its summary.
import type { Logger } from 'pino';
import type { JiraGateway } from '../adapters/jira/gateway.js';
import type { PostgresSource } from '../adapters/postgres/source.js';
import type { TrackerStore } from '../adapters/tracker/store.js';
import type { ResolvedConfig } from '../config.js';
import type { Counts } from '../counts.js';
import { ExitCode, type DependencyError } from '../errors.js';
import { loadMapping } from '../mapping/load.js';
import { preflightJira } from '../preflight.js';
import { checkSourceTable } from '../steps/checkSourceTable.js';
import { countOutcomes, Tally, type SubmissionResult } from '../outcome.js';
import { processBatch, type ProcessOptions } from './process.js';
import { BatchWindows } from './windows.js';

export interface SyncDeps {
  source: PostgresSource;
  tracker: TrackerStore;
  jira: JiraGateway;
  log: (module: string) => Logger;
  now: () => Date;
  runId: string;
}

export interface RunOptions extends ProcessOptions {
  batchSize: number;
  /** Submissions per window (windows.ts); a test sets a small one. */
  windowSize?: number;
  /** Jira already answered this run (a first run checks it before making any file). */
  jiraChecked?: boolean;
}

export interface RunReport {
  runId: string;
  /** The submissions a person must hear about or that were left for later (Tally, outcome.ts); the others are only counted. */
  results: SubmissionResult[];
  counts: Counts;
  /** How many submissions the run handled, whatever became of them. */
  handled: number;
  /** Set when Jira went down or refused us part-way: the run stopped taking submissions. */
  stoppedBy: DependencyError | null;
}

export function reportOf(runId: string, results: SubmissionResult[], stoppedBy: DependencyError | null = null): RunReport {
  return { runId, results, counts: countOutcomes(results), handled: results.length, stoppedBy };
}

export async function runSync(deps: SyncDeps, config: ResolvedConfig, opts: RunOptions): Promise<RunReport> {
  const columns = await checkSourceTable(deps.source, config);
  const mapping = loadMapping(config.fieldMappingPath, columns, config);
  // No Jira call at all when there is nothing to create; otherwise prove Jira answers before writing anything.
  const windows = new BatchWindows(deps, config, columns, opts.batchSize, async () => {
    if (opts.shouldStop?.() === true) return false;
    if (!opts.jiraChecked) await preflightJira(deps.jira, config);
    return true;
  }, opts.windowSize);
  const tally = new Tally();
  const first = await windows.next();
  if (first === null) return reportOf(deps.runId, []);
  const stoppedBy = await processBatch(deps, config, opts, mapping, tally, windows, first);
  return { runId: deps.runId, results: tally.kept, counts: tally.counts, handled: tally.handled, stoppedBy };
}

export function exitCodeFor(report: RunReport): number {
  if (report.stoppedBy) return ExitCode.dependency;
  return report.counts.failed + report.counts.parked > 0 ? ExitCode.someFailed : ExitCode.ok;
}
