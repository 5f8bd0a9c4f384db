// Doctor's checks on the two dependencies: PostgreSQL (connection, table, columns, index) and
// Jira (credentials, service desk, request type; or project, issue type, create screen). Read-only: SELECTs and GETs, nothing else.
import type { JiraCallError } from '../adapters/jira/errors.js';
import type { RequestTypeField } from '../adapters/jira/gateway.js';
import type { PostgresSource } from '../adapters/postgres/source.js';
import { quoteIdent, type ColumnInfo } from '../adapters/postgres/values.js';
import type { ResolvedConfig } from '../config.js';
import { ConfigError, DependencyError, errorMessage } from '../errors.js';
import { checkSourceTable } from '../steps/checkSourceTable.js';
import { describeJiraFailure } from '../preflight.js';
import { connectSource, makeJira, makeLogging, makeNow, newRunId } from '../runtime.js';
import { asJiraError } from '../adapters/jira/errors.js';
import type { DoctorReport, Failure } from './report.js';
import { checkIssueTarget } from './issueTarget.js';
import { listExisting } from './existing.js';

/** host:port/db as user; never the password. */
function where(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    const user = u.username ? ` as ${decodeURIComponent(u.username)}` : '';
    return `${u.hostname}:${u.port || '5432'}${decodeURIComponent(u.pathname)}${user}`;
  } catch {
    return 'the server in DATABASE_URL';
  }
}

/** The statement a DBA can paste; CONCURRENTLY so building it never blocks the web form's inserts. */
export function keysetIndexSql(c: Pick<ResolvedConfig, 'sourceTable' | 'timestampColumn' | 'idColumn'>): string {
  const base = (c.sourceTable.split('.').pop() ?? c.sourceTable).slice(0, 40);
  const name = quoteIdent(`${base}_${c.timestampColumn}_${c.idColumn}_idx`.slice(0, 63));
  return `CREATE INDEX CONCURRENTLY ${name} ON ${quoteIdent(c.sourceTable)} (${quoteIdent(c.timestampColumn)}, ${quoteIdent(c.idColumn)});`;
}

function pgFailure(what: string, err: unknown): Failure {
  if (err instanceof ConfigError) {
    return { kind: 'config', what, detail: err.problems.join('; '), fix: 'point SOURCE_TABLE / the SOURCE_*_COLUMN variables at what the table has' };
  }
  const detail = err instanceof DependencyError ? err.message.replace(/^PostgreSQL: /, '') : errorMessage(err);
  return { kind: 'dependency', what, detail, fix: 'check DATABASE_URL (host, port, database, user, password) and that the server is running and lets this machine in' };
}

export interface PostgresNeeds {
  table: boolean;
  columns: boolean;
}

/** The table's columns when the table exists (for the mapping check), else null. */
export async function checkPostgres(r: DoctorReport, config: ResolvedConfig, can: PostgresNeeds): Promise<ColumnInfo[] | null> {
  // Every line appears on every run: a check that could not run shows as `--`, not as nothing.
  const STEPS = ['table', 'columns', 'index'];
  const skipAfter = (failed: string) => {
    for (const s of STEPS.slice(STEPS.indexOf(failed) + 1)) r.skip(s, `${failed} check failed`);
  };
  let source: PostgresSource;
  try {
    source = await connectSource(config);
  } catch (err) {
    r.fail(pgFailure('PostgreSQL', err));
    for (const s of STEPS) r.skip(s, 'PostgreSQL could not be reached');
    return null;
  }
  let step = 'table';
  try {
    r.ok('PostgreSQL', `connected to ${where(config.databaseUrl)}`);
    if (!can.table) {
      r.skip('table', 'fix SOURCE_TABLE first');
      return null;
    }
    const all = await source.describeTable();
    if (!all) {
      r.fail({ kind: 'config', what: 'table', detail: `"${config.sourceTable}" does not exist in this database`, fix: 'set SOURCE_TABLE to the submissions table (schema.table if it is not in the search path)' });
      skipAfter('table');
      return null;
    }
    r.ok('table', `"${config.sourceTable}" (${all.length} columns)`);
    step = 'columns';
    if (!can.columns) {
      r.skip('columns and index', 'fix the SOURCE_*_COLUMN / UNIQUE_KEY_COLUMNS variables first');
      return all;
    }
    let columns: ColumnInfo[];
    try {
      columns = await checkSourceTable(source, config);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      r.fail({ kind: 'config', what: 'columns', detail: `${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}`, items: err.problems, fix: 'set the variables named above to columns the table has' });
      skipAfter('columns');
      return all;
    }
    const ts = columns.find((c) => c.name === config.timestampColumn);
    const unique = config.uniqueKeyColumns ? config.uniqueKeyColumns.join(', ') : 'every column';
    r.ok('columns', `id "${config.idColumn}", timestamp "${config.timestampColumn}" (${ts?.pgType ?? '?'}), unique key: ${unique}`);
    step = 'index';
    if (await source.hasKeysetIndex()) {
      r.ok('index', `an index on ("${config.timestampColumn}", "${config.idColumn}") serves the fetch`);
    } else {
      r.warn('index', `no index starts with ("${config.timestampColumn}", "${config.idColumn}"), so every run reads the whole table to find new rows, slower as it grows`, `run in PostgreSQL: ${keysetIndexSql(config)}`);
    }
    return columns;
  } catch (err) {
    r.fail(pgFailure(step, err));
    skipAfter(step);
    return null;
  } finally {
    await source.close();
  }
}

function jiraFix(e: JiraCallError, config: ResolvedConfig): string {
  const basic = config.jiraAuth.kind === 'basic';
  if (e.kind === 'auth' && e.status === 403) {
    if (config.target.kind === 'issue') return `give the account in ${basic ? 'JIRA_EMAIL' : 'JIRA_PAT'} the Browse Projects and Create Issues permissions in project ${config.target.projectKey}, or use an account that has them`;
    return `give the account in ${basic ? 'JIRA_EMAIL' : 'JIRA_PAT'} agent access to service desk ${config.serviceDeskId || '(JSM_SERVICE_DESK_ID)'} in Jira, or use an account that has it`;
  }
  if (e.kind === 'auth') {
    return basic
      ? 'create a new API token for the JIRA_EMAIL account at https://id.atlassian.com/manage-profile/security/api-tokens and put it in JIRA_API_TOKEN'
      : 'create a new personal access token in Jira (your profile, Personal Access Tokens) and put it in JIRA_PAT';
  }
  if (e.kind === 'unreachable') return 'check JIRA_BASE_URL (e.g. https://your-company.atlassian.net) and that this machine can reach it (proxy, firewall, DNS)';
  return 'Jira is having trouble: try again in a few minutes (Jira Cloud: https://status.atlassian.com)';
}

function jiraFailure(err: unknown, what: string, config: ResolvedConfig, notFound: { detail: string; fix: string; items?: string[] }): Failure {
  const e = asJiraError(err, what);
  if (e.kind === 'not-found') return { kind: 'config', what, ...notFound };
  const detail = describeJiraFailure(e, config).message.replace(/^Jira: /, '');
  return { kind: 'dependency', what, detail, fix: jiraFix(e, config) };
}

const isNotFound = (err: unknown, what: string) => asJiraError(err, what).kind === 'not-found';

export interface JiraNeeds {
  auth: boolean;
  desk: boolean;
  requestType: boolean;
}

/** The request type's fields when every Jira check passed, else null. */
export async function checkJira(r: DoctorReport, config: ResolvedConfig, can: JiraNeeds): Promise<RequestTypeField[] | null> {
  if (!can.auth) {
    r.skip('Jira', 'fix JIRA_BASE_URL and the Jira credentials first');
    return null;
  }
  // A short retry budget: doctor is run by a person waiting for an answer, not by cron.
  const quick = { ...config, retryBudgetSeconds: Math.min(config.retryBudgetSeconds, 10), jiraTimeoutSeconds: Math.min(config.jiraTimeoutSeconds, 15) };
  const now = makeNow();
  // Console-only and silent: doctor writes no log files.
  const jira = makeJira(quick, now, makeLogging({ ...quick, logLevel: 'silent' }, newRunId(), now, false));
  try {
    const me = (await jira.whoAmI()) as { accountId?: string; displayName?: string; emailAddress?: string; name?: string };
    const who = me.displayName ?? me.name ?? me.accountId;
    if (!who) {
      r.fail({ kind: 'config', what: 'Jira authentication', detail: `${config.jiraBaseUrl} answered, but not like Jira`, fix: 'set JIRA_BASE_URL to your Jira site, e.g. https://your-company.atlassian.net (no path)' });
      return null;
    }
    r.ok('Jira authentication', `signed in to ${config.jiraBaseUrl} as ${who}${me.emailAddress ? ` (${me.emailAddress})` : ''}`);
  } catch (err) {
    r.fail(jiraFailure(err, 'Jira authentication', config, {
      detail: `${config.jiraBaseUrl} answered 404 to "who am I": it does not look like a Jira site`,
      fix: 'set JIRA_BASE_URL to your Jira site, e.g. https://your-company.atlassian.net (no path)',
    }));
    r.skip(config.target.kind === 'issue' ? 'project, issue type and create screen' : 'service desk and request type', 'Jira authentication failed');
    return null;
  }
  if (config.target.kind === 'issue') {
    if (!can.desk) {
      r.skip('project, issue type and create screen', 'fix JIRA_PROJECT_KEY and JIRA_ISSUE_TYPE first');
      return null;
    }
    return checkIssueTarget(r, jira, config, (e) => jiraFix(asJiraError(e, 'issue type'), config));
  }
  if (!can.desk) {
    r.skip('service desk and request type', 'fix JSM_SERVICE_DESK_ID first');
    return null;
  }
  try {
    const desk = await jira.getServiceDesk();
    r.ok('service desk', `${config.serviceDeskId}, ${desk.projectName ?? '?'} (project ${desk.projectKey ?? '?'})`);
  } catch (err) {
    const items = isNotFound(err, 'service desk') ? await listExisting(() => jira.listServiceDesks(), 'service desks') : undefined;
    r.fail(jiraFailure(err, 'service desk', config, {
      detail: `service desk ${config.serviceDeskId} was not found, or this account cannot see it; the desks it can see:`,
      items,
      fix: "set JSM_SERVICE_DESK_ID to one of the ids above (README: Finding the service desk and request type ids), or give the account agent access to the desk",
    }));
    r.skip('request type', 'the service desk check failed');
    return null;
  }
  if (!can.requestType) {
    r.skip('request type', 'fix JSM_REQUEST_TYPE_ID first');
    return null;
  }
  try {
    const fields = await jira.getRequestTypeFields();
    if (fields.length === 0) {
      r.fail({ kind: 'config', what: 'request type', detail: `request type ${config.requestTypeId} shows this account no fields, so it cannot take requests`, fix: 'check the request type in Jira (Project settings, Request types) and that the account is an agent of the desk' });
      return null;
    }
    r.ok('request type', `${config.requestTypeId} takes requests (${fields.length} fields, ${fields.filter((f) => f.required).length} required)`);
    return fields;
  } catch (err) {
    const items = isNotFound(err, 'request type') ? await listExisting(() => jira.listRequestTypes(), 'request types') : undefined;
    r.fail(jiraFailure(err, 'request type', config, {
      detail: `request type ${config.requestTypeId} was not found on service desk ${config.serviceDeskId}; its request types:`,
      items,
      fix: 'set JSM_REQUEST_TYPE_ID to one of the ids above (README: Finding the service desk and request type ids)',
    }));
    return null;
  }
}
