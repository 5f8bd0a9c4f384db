// `jira-sync audit [--dry-run]`: is any source row lost behind the cursor? Compares every row
// the runs can no longer reach with the tracker, lists the ones never seen, and registers them
// so the next run processes them. Exit 1 when it found any, so a person or a script notices.
import fs from 'node:fs';
import path from 'node:path';
import { RunLock } from '../adapters/tracker/lock.js';
import { PgRunLock } from '../adapters/tracker/postgres/runLock.js';
import { fileTrackerPath, type ResolvedConfig } from '../config.js';
import { ExitCode } from '../errors.js';
import { checkSourceTable } from '../steps/checkSourceTable.js';
import { connectSource, makeLogging, makeNow, newRunId, openTracker } from '../runtime.js';
import { auditSource, describeAudit, type AuditResult } from '../steps/auditSource.js';

/** Lines listed in full; the rest are counted (the log has every id). */
const MAX_LISTED = 50;

export async function auditCommand(config: ResolvedConfig, opts: { dryRun: boolean }, print: (line: string) => void): Promise<number> {
  const now = makeNow();
  const runId = newRunId();
  const started = now();
  // It writes to the tracker, so it takes the run lock like a run; a dry run writes nothing anywhere.
  let lock: RunLock | PgRunLock | null = null;
  if (!opts.dryRun && config.trackerDatabaseUrl) {
    // The schema must exist before its lock's holder row can be written.
    await (await openTracker(config, now))?.close();
    lock = await PgRunLock.acquire(config.trackerDatabaseUrl, config.trackerSchema, { runId, startedAt: started.toISOString() });
  } else if (!opts.dryRun) {
    fs.mkdirSync(path.dirname(path.resolve(config.trackerPath)), { recursive: true });
    lock = RunLock.acquire(RunLock.lockPathFor(config.trackerPath), { runId, startedAt: started.toISOString() });
  }
  const logging = makeLogging(config, runId, now, !opts.dryRun);
  try {
    const tracker = await openTracker(config, now, { readonly: opts.dryRun });
    if (!tracker || (await tracker.getCursor()) === null) {
      print('Nothing to audit: no run has fetched anything yet, so no row can be behind the cursor.');
      await tracker?.close();
      return ExitCode.ok;
    }
    try {
      const source = await connectSource(config);
      let result: AuditResult;
      try {
        const columns = await checkSourceTable(source, config);
        result = await auditSource(source, tracker, {
          lookbackMinutes: config.lookbackMinutes,
          columns,
          idColumn: config.idColumn,
          uniqueKeyColumns: config.uniqueKeyColumns,
          register: opts.dryRun ? null : { tracker, trackerPath: fileTrackerPath(config), runId },
          log: logging.forModule('audit'),
        });
      } finally {
        await source.close();
      }
      if (!opts.dryRun) {
        await tracker.recordAudit({
          runId, startedAt: started.toISOString(), endedAt: now().toISOString(), trigger: 'command', scanned: result.scanned,
          missing: result.missing.length, registered: result.registered, missingIds: result.missing.map((m) => m.sourceId),
        });
      }
      report(result, opts.dryRun, print);
      return result.missing.length > 0 ? ExitCode.someFailed : ExitCode.ok;
    } finally {
      await tracker.close();
    }
  } finally {
    logging.close();
    await lock?.release();
  }
}

function report(r: AuditResult, dryRun: boolean, print: (line: string) => void): void {
  for (const m of r.missing.slice(0, MAX_LISTED)) print(`source id ${m.sourceId}  ${m.sourceTs}  never fetched (behind the cursor)`);
  if (r.missing.length > MAX_LISTED) print(`… and ${r.missing.length - MAX_LISTED} more (every id is in logs/audit.log)`);
  print(`Audit of the rows before ${r.until ?? '-'} (the next run's look-back window starts there): ${describeAudit(r)}.`);
  if (r.missing.length === 0) return;
  print(
    dryRun
      ? 'Dry run: nothing registered. Run `jira-sync audit` without --dry-run to register them for the next run.'
      : 'The next run processes them. They committed more than LOOKBACK_MINUTES after their timestamps; if this recurs, raise LOOKBACK_MINUTES.',
  );
}
