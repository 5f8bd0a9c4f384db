// The automatic audit: the first run of each UTC day (like the tracker backup) compares the
// source table with the tracker after its own work, so a row lost behind the cursor is found,
// registered for the next run, reported in the summary line and alerted, even if nobody ever
// runs `jira-sync audit`. A failed audit never fails the run: it is said, and tried again next run.
import type { PostgresSource } from '../adapters/postgres/source.js';
import type { TrackerStore } from '../adapters/tracker/store.js';
import { fileTrackerPath, type ResolvedConfig } from '../config.js';
import { errorMessage } from '../errors.js';
import type { Logging } from '../logging/index.js';
import { checkSourceTable } from '../steps/checkSourceTable.js';
import { auditSource, describeAudit, type AuditResult } from '../steps/auditSource.js';

export interface DailyAudit {
  /** null when the audit could not finish. */
  result: AuditResult | null;
  /** For the summary line. */
  summary: string;
}

export async function dailyAudit(source: PostgresSource, tracker: TrackerStore, config: ResolvedConfig, logging: Logging, runId: string, now: () => Date): Promise<DailyAudit | null> {
  const started = now();
  if (!(await tracker.auditDue(started))) return null;
  const log = logging.forModule('audit');
  try {
    const columns = await checkSourceTable(source, config);
    const result = await auditSource(source, tracker, {
      lookbackMinutes: config.lookbackMinutes,
      columns,
      idColumn: config.idColumn,
      uniqueKeyColumns: config.uniqueKeyColumns,
      register: { tracker, trackerPath: fileTrackerPath(config), runId },
      log,
    });
    await tracker.recordAudit({
      runId, startedAt: started.toISOString(), endedAt: now().toISOString(), trigger: 'daily', scanned: result.scanned,
      missing: result.missing.length, registered: result.registered, missingIds: result.missing.map((m) => m.sourceId),
    });
    return { result, summary: describeAudit(result) };
  } catch (err) {
    const why = logging.redact(errorMessage(err));
    log.error({ err }, 'daily audit could not finish; the next run tries again');
    return { result: null, summary: `could not finish (${why}); the next run tries again` };
  }
}
