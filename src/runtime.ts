// Builds the real dependencies from the resolved configuration. Commands get what they need
// from here; tests build the same things against a test database and the fake Jira.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { JiraGateway } from './adapters/jira/gateway.js';
import { RateLimiter, type Clock } from './adapters/jira/rateLimiter.js';
import { RetryBudget } from './adapters/jira/retry.js';
import { PostgresSource } from './adapters/postgres/source.js';
import { redactStoredTextsOnce } from './adapters/tracker/redactStored.js';
import { refuseIfMoved } from './adapters/tracker/moved.js';
import { openTrackerDb } from './adapters/tracker/schema.js';
import { PostgresTrackerStore } from './adapters/tracker/postgres/store.js';
import type { TrackerStore } from './adapters/tracker/store.js';
import { SqliteWriter } from './adapters/tracker/sqliteWriter.js';
import { Tracker } from './adapters/tracker/tracker.js';
import type { ResolvedConfig } from './config.js';
import { createLogging, makeRedactor, type Logging } from './logging/index.js';
import type { ConsoleOptions } from './logging/console.js';

/** The clock. JIRA_SYNC_CLOCK_OFFSET_MS shifts it, so tests can pass a grace period without waiting. */
export function makeNow(env: NodeJS.ProcessEnv = process.env): () => Date {
  const offset = Number(env.JIRA_SYNC_CLOCK_OFFSET_MS ?? '0') || 0;
  return () => new Date(Date.now() + offset);
}

export function makeClock(now: () => Date): Clock {
  return { now: () => now().getTime(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
}

export function newRunId(): string {
  return randomUUID();
}

/** `onWriteError`: a log file could not be written (the run decides what to do);
 *  `console`: where the console view goes (default: stderr); a test captures it there. */
export function makeLogging(
  config: ResolvedConfig,
  runId: string,
  now: () => Date,
  fileLogging = true,
  extra: { onWriteError?: (file: string, err: unknown) => void; console?: ConsoleOptions } = {},
): Logging {
  return createLogging({ logDir: config.logDir, level: config.logLevel, runId, secrets: config.secrets, retentionDays: config.logRetentionDays, now, fileLogging, ...extra });
}

/** The tracker store the configuration names: PostgreSQL when TRACKER_DATABASE_URL is set (its
 *  schema created or migrated on opening), else the SQLite file at TRACKER_PATH.
 *  `readonly`: writes nothing, not even a migration. `existing`: creates no tracker.
 *  With either, null when no run has created the tracker yet (no SQLite file, no schema).
 *  `offThread`: a run's per-submission commits on a thread of their own (SQLite; sqliteWriter.ts). */
export async function openTracker(config: ResolvedConfig, now: () => Date, opts: { readonly?: boolean; existing?: boolean; offThread?: boolean } = {}): Promise<TrackerStore | null> {
  if (config.trackerDatabaseUrl) {
    const pgOpts = { url: config.trackerDatabaseUrl, schema: config.trackerSchema, now, redact: makeRedactor(config.secrets) };
    if (opts.readonly) return PostgresTrackerStore.openExisting(pgOpts);
    if (opts.existing) {
      const found = await PostgresTrackerStore.openExisting(pgOpts);
      if (!found) return null;
      await found.close();
    }
    return PostgresTrackerStore.open(pgOpts);
  }
  if ((opts.readonly || opts.existing) && !fs.existsSync(config.trackerPath)) return null;
  // Error texts are redacted as they are stored: the tracker and its backups outlive any log.
  // Texts an earlier version stored are redacted here as well, once per tracker (redactStored.ts).
  const redact = makeRedactor(config.secrets);
  const db = openTrackerDb(config.trackerPath, opts);
  if (!opts.readonly) {
    try {
      refuseIfMoved(db, config.trackerPath);
    } catch (err) {
      db.close();
      throw err;
    }
    redactStoredTextsOnce(db, config.secrets, redact, now);
  }
  return new Tracker(db, now, redact, config.trackerPath, opts.offThread && !opts.readonly && SqliteWriter.available() ? new SqliteWriter(config.trackerPath, now) : null);
}

export function connectSource(config: ResolvedConfig): Promise<PostgresSource> {
  return PostgresSource.connect(config.databaseUrl, { table: config.sourceTable, idColumn: config.idColumn, timestampColumn: config.timestampColumn });
}

export function makeJira(config: ResolvedConfig, now: () => Date, logging: Logging): JiraGateway {
  const clock = makeClock(now);
  const log = logging.forModule('create_ticket');
  return new JiraGateway({
    baseUrl: config.jiraBaseUrl,
    auth: config.jiraAuth,
    serviceDeskId: config.serviceDeskId,
    requestTypeId: config.requestTypeId,
    target: config.target,
    timeoutMs: config.jiraTimeoutSeconds * 1000,
    attachmentPublic: config.attachmentPublic,
    limiter: new RateLimiter({ clock }),
    policy: { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 },
    budget: new RetryBudget(config.retryBudgetSeconds * 1000, clock),
    clock,
    onRetry: (i) => log.warn({ operation: i.operation, attempt: i.attempt, delayMs: i.delayMs, error: i.error.message }, 'retrying Jira call'),
    redact: makeRedactor(config.secrets),
  });
}
