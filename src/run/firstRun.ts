// A first run (no tracker yet) proves PostgreSQL and Jira before making any file, so one that
// stops with exit 3 leaves no tracker, lock or backup behind; only its summary line is logged
// (summary.log has a line for every run).
import fs from 'node:fs';
import type { PostgresSource } from '../adapters/postgres/source.js';
import type { ResolvedConfig } from '../config.js';
import type { Logging } from '../logging/index.js';
import { preflightJira } from '../preflight.js';
import { connectSource, makeJira } from '../runtime.js';

/** Whether this run is a first run that checks its dependencies before making any file. With an
 *  alert channel set the tracker is made as before: it is where jira-sync remembers the alert it
 *  sent, so a first-day outage alerts once, not every 15 minutes. */
export function checksFirst(config: ResolvedConfig): boolean {
  const alerting = Boolean(config.alertWebhookUrl || (config.smtpUrl && config.alertEmailTo));
  // A PostgreSQL tracker is created in the database itself: no local file to leave behind.
  return !alerting && config.trackerDatabaseUrl === null && !fs.existsSync(config.trackerPath);
}

/** The connected source, once Jira has answered too. */
export async function firstRunChecks(config: ResolvedConfig, logging: Logging, now: () => Date): Promise<PostgresSource> {
  const source = await connectSource(config);
  try {
    await preflightJira(makeJira(config, now, logging), config);
    return source;
  } catch (err) {
    await source.close();
    throw err;
  }
}
