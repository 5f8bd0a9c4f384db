// One batch of a real run, the steps in order: check the table, load the mapping, gather the
// batch (read-only), prove Jira answers, register the new rows, process them all. Orchestration
// only: the adapters own all SQL and HTTP. main.ts runs this between the run's record and its summary.
import type { Logger } from 'pino';
import type { JiraGateway } from '../adapters/jira/gateway.js';
import type { PostgresSource } from '../adapters/postgres/source.js';
import type { TrackerStore } from '../adapters/tracker/store.js';
import { fileTrackerPath, type ResolvedConfig } from '../config.js';
import type { Counts } from '../counts.js';
import { ExitCode, type DependencyError } from '../errors.js';
import { loadMapping } from '../mapping/load.js';
import { preflightJira } from '../preflight.js';
import { checkSourceTable } from '../steps/checkSourceTable.js';
import { countOutcomes, type SubmissionResult } from '../outcome.js';
import { registerSubmissions } from '../steps/registerSubmissions.js';
import { gatherBatch } from './gather.js';
import { processBatch, type ProcessOptions } from './process.js';

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
  /** Jira already answered this run (a first run checks it before making any file). */
  jiraChecked?: boolean;
}

export interface RunReport {
  runId: string;
  results: SubmissionResult[];
  counts: Counts;
  /** Set when Jira went down or refused us part-way: the run stopped taking submissions. */
  stoppedBy: DependencyError | null;
}

export function reportOf(runId: string, results: SubmissionResult[], stoppedBy: DependencyError | null = null): RunReport {
  return { runId, results, counts: countOutcomes(results), stoppedBy };
}

export async function runSync(deps: SyncDeps, config: ResolvedConfig, opts: RunOptions): Promise<RunReport> {
  const columns = await checkSourceTable(deps.source, config);
  const mapping = loadMapping(config.fieldMappingPath, columns, config);
  const batch = await gatherBatch(deps, config, opts.batchSize, columns);
  const report = (results: SubmissionResult[], stoppedBy: DependencyError | null = null) => reportOf(deps.runId, results, stoppedBy);

  const fresh = batch.fresh.filter((f) => f.check.status === 'new');
  const alreadyProcessed = batch.fresh.length - fresh.length;
  if (batch.due.length === 0 && fresh.length === 0 && alreadyProcessed === 0) return report([]);
  if (opts.shouldStop?.() === true) return report([]);
  // No Jira call at all when there is nothing to create; otherwise prove Jira answers before writing anything.
  if ((batch.due.length > 0 || fresh.length > 0) && !opts.jiraChecked) await preflightJira(deps.jira, config);
  const { registered, skipped } = await registerSubmissions(deps.tracker, batch.fresh, { trackerPath: fileTrackerPath(config), runId: deps.runId, log: deps.log('tracker') });
  const { results, stoppedBy } = await processBatch(deps, config, opts, mapping, [...batch.due, ...registered.map((sub) => ({ sub, row: sub.payload }))]);
  return report([...skipped, ...results], stoppedBy);
}

export function exitCodeFor(report: RunReport): number {
  if (report.stoppedBy) return ExitCode.dependency;
  return report.counts.failed + report.counts.parked > 0 ? ExitCode.someFailed : ExitCode.ok;
}
