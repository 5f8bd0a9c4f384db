// runSync: one run, the steps in order. Orchestration only: the adapters own all SQL and HTTP.
import type { Logger } from 'pino';
import type { JiraGateway } from './adapters/jira/gateway.js';
import type { PostgresSource } from './adapters/postgres/source.js';
import type { ColumnInfo } from './adapters/postgres/values.js';
import { isRunAlive } from './adapters/tracker/runs.js';
import { isAfter, raiseHighWater, readHighWater } from './adapters/tracker/highWater.js';
import type { RowPosition } from './adapters/postgres/source.js';
import { CustomerDirectory } from './adapters/jira/customers.js';
import type { TrackedSubmission, Tracker } from './adapters/tracker/tracker.js';
import type { ResolvedConfig } from './config.js';
import { ConfigError, DependencyError } from './errors.js';
import { loadMapping } from './mapping/load.js';
import { runInOrder } from './pool.js';
import { processSubmission } from './processSubmission.js';
import { checkTracker } from './steps/checkTracker.js';
import { fetchSubmissions } from './steps/fetchSubmissions.js';
import { buildTicketRequest } from './steps/mapFields.js';
import { countOutcomes, type Counts, type Outcome, type SubmissionResult } from './steps/outcome.js';
import { uniqueKey } from './steps/uniqueKey.js';
import { describeJiraFailure, preflightJira } from './preflight.js';
import type { JiraCallError } from './adapters/jira/errors.js';

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
}

export interface RunReport {
  runId: string;
  results: SubmissionResult[];
  counts: Counts;
  /** Set when Jira went down or refused us part-way: the run stopped taking submissions. */
  stoppedBy: DependencyError | null;
}

/** Checks, before anything is written, that the table has what the configuration names. */
export async function describeSource(source: PostgresSource, config: ResolvedConfig): Promise<ColumnInfo[]> {
  const columns = await source.describeTable();
  if (!columns) throw new ConfigError([`table "${config.sourceTable}" does not exist in the database (SOURCE_TABLE)`]);
  const names = new Set(columns.map((c) => c.name));
  const problems: string[] = [];
  const need: [string, string][] = [[config.idColumn, 'SOURCE_ID_COLUMN'], [config.timestampColumn, 'SOURCE_TIMESTAMP_COLUMN']];
  for (const c of config.uniqueKeyColumns ?? []) need.push([c, 'UNIQUE_KEY_COLUMNS']);
  if (config.raiseOnBehalfOfColumn) need.push([config.raiseOnBehalfOfColumn, 'RAISE_ON_BEHALF_OF_COLUMN']);
  for (const [col, variable] of need) {
    if (!names.has(col)) problems.push(`column "${col}" (${variable}) does not exist in table "${config.sourceTable}"; it has: ${[...names].join(', ')}`);
  }
  const ts = columns.find((c) => c.name === config.timestampColumn);
  if (ts && ts.kind !== 'timestamp' && ts.kind !== 'date') {
    problems.push(`column "${ts.name}" (SOURCE_TIMESTAMP_COLUMN) is ${ts.pgType}; it must be a timestamp or date column`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return columns;
}

export async function runSync(deps: SyncDeps, config: ResolvedConfig, opts: RunOptions): Promise<RunReport> {
  const log = deps.log('main');
  const columns = await describeSource(deps.source, config);
  const mapping = loadMapping(config.fieldMappingPath, columns, config);
  const results: SubmissionResult[] = [];
  let stoppedBy: DependencyError | null = null;
  try {
    // Unfinished and due-for-retry submissions first, then new rows up to the batch size.
    const due: TrackedSubmission[] = deps.tracker ? deps.tracker.dueForWork(opts.batchSize) : [];
    const emptyTracker = { getCursor: () => null, seenSourceIds: () => new Set<string>() };
    const fetched = await fetchSubmissions(deps.source, deps.tracker ?? emptyTracker, {
      limit: opts.batchSize - due.length,
      lookbackMinutes: config.lookbackMinutes,
      columns,
      idColumn: config.idColumn,
      exclude: new Set(due.map((d) => d.sourceId)),
    });
    deps.log('fetch_submissions').info({ due: due.length, fetched: fetched.length }, 'batch fetched');

    const keyLog = deps.log('unique_key');
    const fresh = fetched.map((f) => {
      const key = uniqueKey(f.row, columns, config.uniqueKeyColumns);
      keyLog.debug({ key, sourceId: f.position.sourceId }, 'key computed');
      return { ...f, key, check: checkTracker(deps.tracker, key) };
    });

    if (opts.dryRun) {
      const pending = [...due.map((d) => ({ key: d.key, sourceId: d.sourceId, payload: d.payload })), ...fresh.filter((f) => f.check.status === 'new').map((f) => ({ key: f.key, sourceId: f.position.sourceId, payload: f.row }))];
      for (const p of pending) {
        const built = buildTicketRequest(mapping, p, config.raiseOnBehalfOfColumn);
        const outcome: Outcome = built.ok
          ? { tag: 'would-create', requestFieldValues: built.request.requestFieldValues, attachmentName: built.request.attachmentName }
          : { tag: 'failed:invalid-value', error: built.error };
        deps.print(JSON.stringify({ sourceId: p.sourceId, key: p.key, ...outcome }, null, 2));
        results.push({ key: p.key, sourceId: p.sourceId, outcome });
      }
      return { runId: deps.runId, results, counts: countOutcomes(results), stoppedBy };
    }
    const tracker = deps.tracker as Tracker;
    const hasWork = due.length > 0 || fresh.some((f) => f.check.status === 'new');
    // No Jira call at all when there is nothing to do; otherwise prove Jira answers before writing anything.
    if (hasWork) await preflightJira(deps.jira as JiraGateway, config);

    const trackerLog = deps.log('tracker');
    const highWater = readHighWater(config.trackerPath);
    const restored = highWater !== null && (tracker.getCursor() === null || isAfter(highWater, tracker.getCursor() as RowPosition));
    if (restored) trackerLog.warn({ highWater, cursor: tracker.getCursor() }, 'tracker is behind its high-water mark (restored from a backup?): searching Jira before creating older submissions');
    const work: TrackedSubmission[] = [...due];
    for (const f of fresh) {
      const verifyFirst = restored && !isAfter(f.position, highWater as RowPosition);
      const registered = tracker.register(f.position, f.key, f.row, deps.runId, verifyFirst);
      const subLog = trackerLog.child({ key: f.key, sourceId: f.position.sourceId });
      if (registered === 'new') {
        subLog.info('submission registered');
        work.push(tracker.get(f.key) as TrackedSubmission);
      } else {
        const known = tracker.get(f.key);
        const note = `same content as source row ${known?.sourceId ?? '?'}${known?.ticketKey ? ` (${known.ticketKey})` : ''}`;
        subLog.info({ outcome: 'skipped:already-processed', note }, 'already processed');
        results.push({ key: f.key, sourceId: f.position.sourceId, outcome: { tag: 'skipped:already-processed', ticketKey: known?.ticketKey ?? null, note } });
      }
    }

    raiseHighWater(config.trackerPath, tracker.getCursor());

    const customers = config.raiseOnBehalfOfColumn ? new CustomerDirectory((deps.jira as JiraGateway).customerClients()) : null;
    let fatal: JiraCallError | null = null;
    const outcomes = await runInOrder(
      work,
      opts.concurrency,
      async (sub) => {
        const subLog = (m: string) => deps.log(m).child({ key: sub.key, sourceId: sub.sourceId });
        const outcome = await processSubmission(
          {
            tracker, jira: deps.jira as JiraGateway, now: deps.now, runId: deps.runId,
            recoveryGraceMs: config.recoveryGraceMinutes * 60_000, log: subLog('create_ticket'), attachLog: subLog('attach_submission'),
            mapping, maxAttempts: config.maxAttempts, raiseOnBehalfOfColumn: config.raiseOnBehalfOfColumn,
            customers,
            isRunAlive: (id) => isRunAlive(tracker.db, id, deps.now()),
            onFatal: (e) => { fatal ??= e; },
          },
          sub,
        );
        subLog('main').info({ outcome: outcome.tag, ...outcome }, 'submission finished');
        return { key: sub.key, sourceId: sub.sourceId, outcome };
      },
      () => fatal !== null,
    );
    for (const r of outcomes) if (r) results.push(r);
    if (fatal) stoppedBy = describeJiraFailure(fatal, config);
    return { runId: deps.runId, results, counts: countOutcomes(results), stoppedBy };
  } finally {
    log.debug({ results: results.length }, 'run body finished');
  }
}

export function exitCodeFor(report: RunReport): number {
  if (report.stoppedBy) return 3;
  return report.counts.failed + report.counts.parked > 0 ? 1 : 0;
}
