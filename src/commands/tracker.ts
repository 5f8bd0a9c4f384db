// `jira-sync tracker copy-to-postgres`: moving an existing SQLite tracker into PostgreSQL (the
// copy itself is adapters/tracker/copyToPostgres.ts); this prints what was copied and what to
// do next.
import { copyTrackerToPostgres } from '../adapters/tracker/copyToPostgres.js';
import type { ResolvedConfig } from '../config.js';
import { targetWords } from '../configTarget.js';
import { ExitCode } from '../errors.js';
import { makeRedactor } from '../logging/index.js';

export async function copyToPostgresCommand(config: ResolvedConfig, print: (line: string) => void): Promise<number> {
  const r = await copyTrackerToPostgres({ trackerPath: config.trackerPath, url: config.trackerDatabaseUrl, schema: config.trackerSchema, redact: makeRedactor(config.secrets) });
  const states = Object.entries(r.states).map(([s, n]) => `${s} ${n}`).join(', ');
  print(`Copied the SQLite tracker ${config.trackerPath} into the PostgreSQL tracker in schema ${config.trackerSchema}:`);
  print(`  submissions: ${r.tables.submissions ?? 0} (${states})`);
  print(`  seen source rows: ${r.tables.source_rows ?? 0}`);
  print(`  cursor: ${r.cursor ? `up to ${r.cursor.sourceTs} (source id ${r.cursor.sourceId})` : 'not started'}`);
  print(`  runs: ${r.tables.runs ?? 0}${r.lastRunStartedAt ? ` (the last started ${r.lastRunStartedAt})` : ''}`);
  print(`  audits: ${r.tables.audits ?? 0}; open alert incidents: ${r.tables.alert_incidents ?? 0}`);
  const kept = r.tables.writeback_rows ?? 0;
  if (kept > 0 || r.pullCheckpoint) print(`  write-back: ${kept} ticket row${kept === 1 ? '' : 's'} kept, pull checkpoint ${r.pullCheckpoint ?? 'not set yet'}`);
  print('');
  print(`Runs with TRACKER_DATABASE_URL set (and TRACKER_SCHEMA=${config.trackerSchema}) now continue where the SQLite tracker stopped.`);
  print(`Set them on every host that runs jira-sync, and run none with the SQLite tracker again: two trackers would each create the same ${targetWords(config.target.kind).ticket}s. The file ${config.trackerPath} is left as it was: keep it as a record, or delete it.`);
  return ExitCode.ok;
}
