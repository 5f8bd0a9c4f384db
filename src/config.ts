// Configuration is parsed once, from environment variables (loaded from .env by cli.ts),
// and every problem is reported together so an operator fixes them in one pass.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';
import { basicCredentials } from './logging/redact.js';
import { placeholdersIn } from './placeholders.js';
import { readTarget } from './configTarget.js';

export type JiraAuth = { kind: 'basic'; email: string; apiToken: string } | { kind: 'pat'; pat: string };

export type { JiraTarget } from './configTarget.js';
import type { JiraTarget } from './configTarget.js';

export interface ResolvedConfig {
  databaseUrl: string;
  sourceTable: string;
  idColumn: string;
  timestampColumn: string;
  /** null: every column of the table. */
  uniqueKeyColumns: string[] | null;
  batchSize: number;
  lookbackMinutes: number;
  jiraBaseUrl: string;
  jiraAuth: JiraAuth;
  /** The target; serviceDeskId and requestTypeId are its request-mode ids ('' in issue mode). */
  target: JiraTarget;
  serviceDeskId: string;
  requestTypeId: string;
  trackerPath: string;
  /** TRACKER_DATABASE_URL: the tracker in PostgreSQL (null: the SQLite file at trackerPath). */
  trackerDatabaseUrl: string | null;
  /** TRACKER_SCHEMA: the PostgreSQL tracker's schema. */
  trackerSchema: string;
  fieldMappingPath: string;
  logDir: string;
  logLevel: string;
  logRetentionDays: number;
  attachmentPublic: boolean;
  maxAttempts: number;
  recoveryGraceMinutes: number;
  concurrency: number;
  jiraTimeoutSeconds: number;
  retryBudgetSeconds: number;
  raiseOnBehalfOfColumn: string | null;
  alertWebhookUrl: string | null;
  smtpUrl: string | null;
  alertEmailTo: string | null;
  alertEmailFrom: string | null;
  /** WRITEBACK_TABLE: the table in the source database that keeps each submission's ticket and
   *  its current status (`table` or `schema.table`); null: write-back is off. */
  writebackTable: string | null;
  /** PULL_SKEW_MINUTES: how far before its checkpoint a pull searches, for Jira's index lag. */
  pullSkewMinutes: number;
  /** Values that must never be printed or logged. */
  secrets: string[];
}

/** The SQLite tracker's file, or null when the tracker is in PostgreSQL (nothing is kept on disk). */
export function fileTrackerPath(config: ResolvedConfig): string | null {
  return config.trackerDatabaseUrl ? null : config.trackerPath;
}

/** Where the tracker is, for a sentence: "in PostgreSQL schema jira_sync" or "at tracker/tracker.db". */
export function trackerPlace(config: ResolvedConfig): string {
  return config.trackerDatabaseUrl ? `in PostgreSQL schema ${config.trackerSchema}` : `at ${config.trackerPath}`;
}

/** 'local' commands (status, retry) read only the tracker and must work while Postgres and Jira are down. */
export type ConfigNeeds = 'all' | 'local';

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
// A plain or schema-qualified SQL identifier. Quoted identifiers with spaces are not supported
// on purpose: names are interpolated (quoted) into SQL, so we accept only a safe alphabet.
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads variables and collects every problem; the target's pair is read in configTarget.ts. */
export class Reader {
  readonly problems: string[] = [];
  /** A required variable is missing: often not a typo but a .env that was never found. */
  missing = false;
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  required(name: string, what: string): string {
    const v = this.raw(name);
    if (v === undefined) {
      this.missing = true;
      this.problems.push(`${name} is not set: ${what}`);
    }
    return v ?? '';
  }

  text(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}, got "${v}"`);
      return fallback;
    }
    return Number(v);
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    this.problems.push(`${name} must be true or false, got "${v}"`);
    return fallback;
  }

  identifier(name: string, fallback: string, qualified = false): string {
    const v = this.text(name, fallback);
    const parts = qualified ? v.split('.') : [v];
    if (parts.length > 2 || !parts.every((p) => IDENT.test(p))) {
      const what = qualified ? 'a table name or schema.table (letters, digits, _ in each part)' : 'a plain column name (letters, digits, _)';
      this.problems.push(`${name} must be ${what}, got "${v}"`);
    }
    return v;
  }

  url(name: string, protocols: string[], opts: { required: boolean; what: string; noCredentials?: string }): string | null {
    const v = opts.required ? this.required(name, opts.what) : this.raw(name);
    if (!v) return null;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) {
        this.problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
      }
      if (opts.noCredentials && (u.username || u.password)) {
        this.problems.push(`${name} must not contain a user name or password (user:password@): ${opts.noCredentials}`);
      }
    } catch {
      // Never echo the value: a URL may carry a password.
      this.problems.push(`${name} is not a valid URL`);
    }
    return v;
  }
}

function databasePassword(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}

export interface LoadOptions {
  /** The directory .env was read from (the CLI's working directory): when variables are
   *  missing and it holds no .env, that is said once, since it is the likelier cause. */
  envFileDir?: string;
}

// The example shows where the password goes without the `user:password@` form, which the
// redactor hides in every message (it cannot tell an example from a real connection string).
const DATABASE_URL_EXAMPLE = 'e.g. postgres://jira_sync@db-host:5432/webforms, with a password after the user name and a colon (jira_sync:PASSWORD@db-host)';

/** Said once when variables are missing and the working directory has no .env (doctor knows it by this text). */
export function noEnvFile(dir: string): string {
  return `no .env file in ${dir}; jira-sync reads .env from the directory it runs in (under cron, cd there first, see crontab.example)`;
}

export function loadConfig(env: Env, needs: ConfigNeeds = 'all', opts: LoadOptions = {}): ResolvedConfig {
  const r = new Reader(env);
  const all = needs === 'all';
  // Placeholders parse fine, so they are refused by name before anything is tried with them:
  // the placeholder Jira site is a real site, and must never receive a real token.
  if (all) {
    for (const name of placeholdersIn(env)) r.problems.push(`${name} still has the placeholder from .env.example: put your own value in .env (README: Configuration)`);
  }
  const databaseUrl = all
    ? (r.url('DATABASE_URL', ['postgres:', 'postgresql:'], { required: true, what: `the PostgreSQL connection string, ${DATABASE_URL_EXAMPLE}` }) ?? '')
    : (r.raw('DATABASE_URL') ?? '');
  const jiraBaseUrl = all
    ? (r.url('JIRA_BASE_URL', ['https:', 'http:'], {
        required: true,
        what: 'your Jira site, e.g. https://your-company.atlassian.net',
        noCredentials: 'set only the site, e.g. https://your-company.atlassian.net, and the credentials in JIRA_EMAIL + JIRA_API_TOKEN or JIRA_PAT',
      }) ?? '')
    : (r.raw('JIRA_BASE_URL') ?? '');

  const email = r.raw('JIRA_EMAIL');
  const apiToken = r.raw('JIRA_API_TOKEN');
  const pat = r.raw('JIRA_PAT');
  let jiraAuth: JiraAuth = { kind: 'pat', pat: '' };
  if (pat && (email || apiToken)) {
    r.problems.push('set either JIRA_EMAIL + JIRA_API_TOKEN (Jira Cloud) or JIRA_PAT (Data Center), not both');
  } else if (pat) {
    jiraAuth = { kind: 'pat', pat };
  } else if (email && apiToken) {
    jiraAuth = { kind: 'basic', email, apiToken };
  } else if (all) {
    if (email && !apiToken) r.problems.push('JIRA_API_TOKEN is not set: it goes with JIRA_EMAIL (create one at id.atlassian.com)');
    else if (apiToken && !email) r.problems.push('JIRA_EMAIL is not set: it goes with JIRA_API_TOKEN');
    else r.problems.push('Jira credentials are not set: set JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud) or JIRA_PAT (Data Center)');
    r.missing = true;
  }

  const uniqueRaw = r.raw('UNIQUE_KEY_COLUMNS');
  const uniqueKeyColumns = uniqueRaw ? uniqueRaw.split(',').map((c) => c.trim()).filter((c) => c !== '') : null;
  for (const c of uniqueKeyColumns ?? []) {
    if (!IDENT.test(c)) r.problems.push(`UNIQUE_KEY_COLUMNS: "${c}" is not a plain column name`);
  }
  if (uniqueRaw && uniqueKeyColumns?.length === 0) r.problems.push('UNIQUE_KEY_COLUMNS is set but names no column');

  const logLevel = r.text('LOG_LEVEL', 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) r.problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  const trackerSchema = r.text('TRACKER_SCHEMA', 'jira_sync');
  if (!IDENT.test(trackerSchema)) r.problems.push(`TRACKER_SCHEMA must be a plain schema name (letters, digits, _), got "${trackerSchema}"`);
  else if (/^pg_/i.test(trackerSchema) || trackerSchema.toLowerCase() === 'information_schema') {
    r.problems.push(`TRACKER_SCHEMA "${trackerSchema}" is one of PostgreSQL's own schemas (pg_…, information_schema); name a schema of its own, e.g. jira_sync`);
  }

  const target = readTarget(r, all);
  const config: ResolvedConfig = {
    databaseUrl,
    sourceTable: r.identifier('SOURCE_TABLE', 'webform_submissions', true),
    idColumn: r.identifier('SOURCE_ID_COLUMN', 'id'),
    timestampColumn: r.identifier('SOURCE_TIMESTAMP_COLUMN', 'created_at'),
    uniqueKeyColumns,
    batchSize: r.int('BATCH_SIZE', 30, 1, 10000),
    lookbackMinutes: r.int('LOOKBACK_MINUTES', 60, 0, 10080),
    jiraBaseUrl: jiraBaseUrl.replace(/\/+$/, ''),
    jiraAuth,
    target,
    serviceDeskId: target.kind === 'request' ? target.serviceDeskId : '',
    requestTypeId: target.kind === 'request' ? target.requestTypeId : '',
    trackerPath: r.text('TRACKER_PATH', 'tracker/tracker.db'),
    trackerDatabaseUrl: r.url('TRACKER_DATABASE_URL', ['postgres:', 'postgresql:'], { required: false, what: '' }),
    trackerSchema,
    fieldMappingPath: r.text('FIELD_MAPPING_PATH', 'field_mapping.json'),
    logDir: r.text('LOG_DIR', 'logs'),
    logLevel,
    logRetentionDays: r.int('LOG_RETENTION_DAYS', 30, 1, 3650),
    attachmentPublic: r.bool('ATTACHMENT_PUBLIC', false),
    maxAttempts: r.int('MAX_ATTEMPTS', 5, 1, 100),
    recoveryGraceMinutes: r.int('RECOVERY_GRACE_MINUTES', 10, 0, 1440),
    concurrency: r.int('JIRA_CONCURRENCY', 4, 1, 32),
    jiraTimeoutSeconds: r.int('JIRA_TIMEOUT_SECONDS', 30, 1, 600),
    retryBudgetSeconds: r.int('JIRA_RETRY_BUDGET_SECONDS', 120, 0, 3600),
    raiseOnBehalfOfColumn: r.raw('RAISE_ON_BEHALF_OF_COLUMN') ? r.identifier('RAISE_ON_BEHALF_OF_COLUMN', '') : null,
    alertWebhookUrl: r.url('ALERT_WEBHOOK_URL', ['https:', 'http:'], { required: false, what: '' }),
    smtpUrl: r.url('SMTP_URL', ['smtp:', 'smtps:'], { required: false, what: '' }),
    alertEmailTo: r.raw('ALERT_EMAIL_TO') ?? null,
    alertEmailFrom: r.raw('ALERT_EMAIL_FROM') ?? null,
    writebackTable: r.raw('WRITEBACK_TABLE') ? r.identifier('WRITEBACK_TABLE', '', true) : null,
    pullSkewMinutes: r.int('PULL_SKEW_MINUTES', 5, 0, 1440),
    secrets: [],
  };
  // The source table is only ever read: the write-back table must be another one.
  const bare = (t: string) => t.replace(/^public\./, '');
  if (config.writebackTable && bare(config.writebackTable) === bare(config.sourceTable)) {
    r.problems.push(`WRITEBACK_TABLE must name a table of its own, not the source table "${config.sourceTable}" (jira-sync never writes the source table)`);
  }
  // Nor one in the PostgreSQL tracker's schema, beside (or as) its own tables.
  if (config.trackerDatabaseUrl && config.writebackTable?.startsWith(`${config.trackerSchema}.`)) {
    r.problems.push(`WRITEBACK_TABLE must not be in TRACKER_SCHEMA "${config.trackerSchema}": that schema holds the tracker's own tables; name a table in another schema`);
  }
  if (config.smtpUrl && !config.alertEmailTo) r.problems.push('ALERT_EMAIL_TO is not set: SMTP_URL is set, so alerts need an address to go to');
  if (config.alertEmailTo && !config.smtpUrl) r.problems.push('SMTP_URL is not set: ALERT_EMAIL_TO is set, so alerts need a mail server');
  if (target.kind === 'issue' && config.raiseOnBehalfOfColumn) {
    r.problems.push('RAISE_ON_BEHALF_OF_COLUMN works only with a service desk (JSM_SERVICE_DESK_ID + JSM_REQUEST_TYPE_ID): a plain Jira project has no customers; unset it');
  }
  for (const id of ['serviceDeskId', 'requestTypeId'] as const) {
    const name = id === 'serviceDeskId' ? 'JSM_SERVICE_DESK_ID' : 'JSM_REQUEST_TYPE_ID';
    if (config[id] && !/^\d+$/.test(config[id])) r.problems.push(`${name} must be a number (Jira's id), got "${config[id]}"`);
  }

  // Every form a credential takes on the wire: the Authorization header carries base64 of
  // `email:token` (Cloud), and a Jira error body may echo it back.
  const wireForms = [...(email && apiToken ? basicCredentials(email, apiToken) : []), ...(pat ? [Buffer.from(pat, 'utf8').toString('base64')] : [])];
  config.secrets = [apiToken, pat, ...wireForms, databasePassword(databaseUrl), databasePassword(config.trackerDatabaseUrl ?? ''), databasePassword(config.smtpUrl ?? '')].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  if (r.missing && opts.envFileDir !== undefined && !fs.existsSync(path.join(opts.envFileDir, '.env'))) {
    r.problems.push(noEnvFile(opts.envFileDir));
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}
