// runSync: one run, the steps in order. Orchestration only: the adapters own all SQL and HTTP.
import type { Logger } from 'pino';
import type { JiraGateway } from './adapters/jira/gateway.js';
import type { PostgresSource } from './adapters/postgres/source.js';
import type { ColumnInfo, Row } from './adapters/postgres/values.js';
import { isRunAlive } from './adapters/tracker/runs.js';
import { trackerFileError } from './adapters/tracker/schema.js';
import { CustomerDirectory } from './adapters/jira/customers.js';
import type { TrackedSubmission, Tracker } from './adapters/tracker/tracker.js';
import type { ResolvedConfig } from './config.js';
import { DependencyError, ExitCode } from './errors.js';
import { loadMapping } from './mapping/load.js';
import { runInOrder } from './pool.js';
import { processSubmission, type WorkItem } from './processSubmission.js';
import { checkSourceTable } from './steps/checkSourceTable.js';
import { seenBefore } from './steps/seenBefore.js';
import { fetchSubmissions } from './steps/fetchSubmissions.js';
import { buildTicketRequest } from './mapping/request.js';
import type { Counts } from './counts.js';
import { countOutcomes, type Outcome, type SubmissionResult } from './steps/outcome.js';
import { uniqueKey } from './steps/uniqueKey.js';
import { registerSubmissions, type KeyedRow } from './steps/registerSubmissions.js';
import type { MappingFile } from './mapping/format.js';
import { describeJiraFailure, preflightJira } from './preflight.js';
import { describePreview } from './mapping/preview.js';
import { JiraCallError } from './adapters/jira/errors.js';

export interface SyncDeps {
  source: PostgresSource;
  /** null only for a dry run with no tracker file yet. */
  tracker: Tracker | null;
  /** null for a dry run: it makes no Jira calls. */
  jira: JiraGateway | null;
  log: (module: string) => Logger;
  now: () => Date;
  runId: string;
  /** Where --dry-run prints what it would send. */
  print: (line: string) => void;
}

export interface RunOptions {
  dryRun: boolean;
  batchSize: number;
  concurrency: number;
  /** Jira already answered this run (a first run checks it before making any file). */
  jiraChecked?: boolean;
  /** Called after each submission, for the progress line on a terminal. */
  onProgress?: (done: number, total: number, counts: Counts) => void;
  /** True once the run must take no new submission (a signal, a log it cannot write); in-flight ones finish. */
  shouldStop?: () => boolean;
}

export interface RunReport {
  runId: string;
  results: SubmissionResult[];
  counts: Counts;
  /** Set when Jira went down or refused us part-way: the run stopped taking submissions. */
  stoppedBy: DependencyError | null;
}

interface Batch {
  /** Submissions from the tracker, each with its source row as it is now when it has no ticket yet. */
  due: WorkItem[];
  fresh: (KeyedRow & { check: ReturnType<typeof seenBefore> })[];
}

/** The source rows of the due submissions that have no ticket yet, as they are now, in one query:
 *  such a submission is built from its row as corrected since, not as first fetched. */
async function currentRows(deps: SyncDeps, config: ResolvedConfig, columns: ColumnInfo[], subs: TrackedSubmission[]): Promise<WorkItem[]> {
  const ids = subs.filter((s) => !s.ticketKey).map((s) => s.sourceId);
  const rows = await deps.source.fetchRows(ids, columns);
  const byId = new Map<string, Row>(rows.map((r) => [String(r[config.idColumn]), r]));
  return subs.map((sub) => ({ sub, row: sub.ticketKey ? sub.payload : (byId.get(sub.sourceId) ?? null) }));
}

/** Steps 1-3 (read-only): unfinished and due-for-retry submissions first, then new rows up to the batch size. */
async function gatherBatch(deps: SyncDeps, config: ResolvedConfig, opts: RunOptions, columns: ColumnInfo[]): Promise<Batch> {
  const due = await currentRows(deps, config, columns, deps.tracker ? deps.tracker.dueForWork(opts.batchSize) : []);
  const emptyTracker = { getCursor: () => null, seenSourceIds: () => new Set<string>() };
  const fetched = await fetchSubmissions(deps.source, deps.tracker ?? emptyTracker, {
    limit: opts.batchSize - due.length,
    lookbackMinutes: config.lookbackMinutes,
    columns,
    idColumn: config.idColumn,
    exclude: new Set(due.map((d) => d.sub.sourceId)),
  });
  deps.log('fetch_submissions').info({ due: due.length, fetched: fetched.length }, 'batch fetched');
  const keyLog = deps.log('unique_key');
  const fresh = fetched.map((f) => {
    const key = uniqueKey(f.row, columns, config.uniqueKeyColumns);
    keyLog.debug({ key, sourceId: f.position.sourceId }, 'key computed');
    return { ...f, key, check: seenBefore(deps.tracker, key) };
  });
  return { due, fresh };
}

/** --dry-run: what each submission would become, printed; nothing written, no Jira call. */
function previewBatch(deps: SyncDeps, config: ResolvedConfig, mapping: MappingFile, batch: Batch): SubmissionResult[] {
  const pending = [
    ...batch.due.map((d) => ({ key: d.sub.key, sourceId: d.sub.sourceId, payload: d.row ?? d.sub.payload, gone: d.row === null })),
    ...batch.fresh.filter((f) => f.check.status === 'new').map((f) => ({ key: f.key, sourceId: f.position.sourceId, payload: f.row, gone: false })),
  ];
  return pending.map((p) => {
    const built = buildTicketRequest(mapping, p, config.raiseOnBehalfOfColumn);
    const outcome: Outcome = p.gone
      ? { tag: 'parked', error: `source row ${p.sourceId} no longer exists in the source table` }
      : built.ok
        ? { tag: 'would-create', requestFieldValues: built.request.requestFieldValues, attachmentName: built.request.attachmentName }
        : { tag: 'failed:invalid-value', error: built.error };
    for (const line of describePreview(mapping, p.sourceId, outcome)) deps.print(line);
    return { key: p.key, sourceId: p.sourceId, outcome };
  });
}

/** Why the run stopped taking submissions, from the error that stopped it: Jira down or refusing
 *  us, or a tracker that cannot be written (disk full, file turned read-only): nothing more could
 *  be recorded, and the submission that hit it resumes on the next run. Anything else is a defect. */
function stopReason(err: unknown, config: ResolvedConfig): DependencyError {
  if (err instanceof JiraCallError) return describeJiraFailure(err, config);
  if (String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_')) return trackerFileError(config.trackerPath, err);
  throw err;
}

/** Steps 4-7 for each submission, with bounded concurrency; stops taking new ones if Jira goes down. */
async function processBatch(deps: SyncDeps, config: ResolvedConfig, opts: RunOptions, mapping: MappingFile, tracker: Tracker, work: WorkItem[]) {
  const jira = deps.jira as JiraGateway;
  const customers = config.raiseOnBehalfOfColumn ? new CustomerDirectory(jira.customerClients()) : null;
  const results: SubmissionResult[] = [];
  const finished = (sub: TrackedSubmission, outcome: Outcome) => {
    deps.log('main').child({ key: sub.key, sourceId: sub.sourceId }).info({ outcome: outcome.tag, ...outcome }, 'submission finished');
    results.push({ key: sub.key, sourceId: sub.sourceId, outcome });
    opts.onProgress?.(results.length, work.length, countOutcomes(results));
  };
  try {
    await runInOrder(
      work,
      opts.concurrency,
      async (item) => {
        const sub = item.sub;
        const subLog = (m: string) => deps.log(m).child({ key: sub.key, sourceId: sub.sourceId });
        let outcome: Outcome;
        try {
          outcome = await processSubmission(
            {
              tracker, jira, now: deps.now, runId: deps.runId, mapping, customers,
              recoveryGraceMs: config.recoveryGraceMinutes * 60_000, maxAttempts: config.maxAttempts, raiseOnBehalfOfColumn: config.raiseOnBehalfOfColumn,
              log: subLog('create_ticket'), attachLog: subLog('attach_submission'),
              isRunAlive: (id) => isRunAlive(tracker.db, id, deps.now()),
            },
            item,
          );
        } catch (err) {
          // Jira stopped the run: this submission is reported as stopped, and the pool takes no new one.
          if (err instanceof JiraCallError) finished(sub, { tag: 'stopped', error: err.message });
          throw err;
        }
        finished(sub, outcome);
      },
      () => opts.shouldStop?.() === true,
    );
    return { results, stoppedBy: null };
  } catch (err) {
    return { results, stoppedBy: stopReason(err, config) };
  }
}

export async function runSync(deps: SyncDeps, config: ResolvedConfig, opts: RunOptions): Promise<RunReport> {
  const columns = await checkSourceTable(deps.source, config);
  const mapping = loadMapping(config.fieldMappingPath, columns, config);
  const batch = await gatherBatch(deps, config, opts, columns);
  const report = (results: SubmissionResult[], stoppedBy: DependencyError | null = null): RunReport => ({ runId: deps.runId, results, counts: countOutcomes(results), stoppedBy });
  if (opts.dryRun) return report(previewBatch(deps, config, mapping, batch));

  const tracker = deps.tracker as Tracker;
  const fresh = batch.fresh.filter((f) => f.check.status === 'new');
  const alreadyProcessed = batch.fresh.length - fresh.length;
  if (batch.due.length === 0 && fresh.length === 0 && alreadyProcessed === 0) return report([]);
  if (opts.shouldStop?.() === true) return report([]);
  // No Jira call at all when there is nothing to create; otherwise prove Jira answers before writing anything.
  if ((batch.due.length > 0 || fresh.length > 0) && !opts.jiraChecked) await preflightJira(deps.jira as JiraGateway, config);
  const { registered, skipped } = registerSubmissions(tracker, batch.fresh, { trackerPath: config.trackerPath, runId: deps.runId, log: deps.log('tracker') });
  const { results, stoppedBy } = await processBatch(deps, config, opts, mapping, tracker, [...batch.due, ...registered.map((sub) => ({ sub, row: sub.payload }))]);
  return report([...skipped, ...results], stoppedBy);
}

export function exitCodeFor(report: RunReport): number {
  if (report.stoppedBy) return ExitCode.dependency;
  return report.counts.failed + report.counts.parked > 0 ? ExitCode.someFailed : ExitCode.ok;
}
