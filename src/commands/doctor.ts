// `jira-sync doctor`: checks, line by line, everything a run needs (configuration, PostgreSQL,
// Jira, the field mapping, the tracker, the lock, the log folder) and says how to fix what is
// wrong. It changes nothing: no files, no tracker rows, no tickets; SELECTs and GETs only.
//
// It takes the raw environment rather than a parsed config: a broken variable is one FAIL line,
// and every check that does not depend on that variable still runs, so one pass shows it all.
import fs from 'node:fs';
import type { RequestTypeField } from '../adapters/jira/gateway.js';
import type { ColumnInfo } from '../adapters/postgres/values.js';
import { loadConfig, noEnvFile, type ResolvedConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { checkAlerts, checkLock, checkLogDir, checkTrackerFile } from '../doctor/local.js';
import { checkIssueOnlyOptions } from '../doctor/issueTarget.js';
import { checkPostgresTracker } from '../doctor/pgTracker.js';
import { checkJira, checkPostgres } from '../doctor/remote.js';
import { checkWritebackTable } from '../doctor/writeback.js';
import { DoctorReport } from '../doctor/report.js';
import { makeRedactor } from '../logging/index.js';
import { basicCredentials, LONG_SECRET } from '../logging/redact.js';
import { describeChange, jiraChanges } from '../mapping/changes.js';
import { checkMapping, checkPassed } from '../mapping/check.js';
import type { MappingFile } from '../mapping/format.js';
import { idMismatch, idMismatchFix, mappingProblems, readMappingFile } from '../mapping/load.js';
import { makeNow } from '../runtime.js';

type Env = Record<string, string | undefined>;

/** Prefixes for the kinds of difference checkMapping reports; unknown kinds print bare. */
const KIND_LABEL: Record<string, string> = { jira: 'changed in Jira: ', table: 'changed in the table: ' };

// Variable names as config.ts writes them into its messages (DATABASE_URL, JSM_SERVICE_DESK_ID).
const VARIABLE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;

interface Configuration {
  /** Usable for every check whose variables are not in `broken`; null when nothing is usable. */
  config: ResolvedConfig | null;
  broken: Set<string>;
}

const passwordOf = (url: string | undefined): string => {
  try {
    return url ? decodeURIComponent(new URL(url).password) : '';
  } catch {
    return '';
  }
};

/** The configured secrets by where they come from, taken from the raw environment: loadConfig
 *  may not have got that far. */
function namedSecrets(env: Env): { name: string; value: string }[] {
  const all = [
    { name: 'JIRA_API_TOKEN', value: env.JIRA_API_TOKEN },
    { name: 'JIRA_PAT', value: env.JIRA_PAT },
    { name: 'the password in DATABASE_URL', value: passwordOf(env.DATABASE_URL) },
    { name: 'the password in SMTP_URL', value: passwordOf(env.SMTP_URL) },
  ];
  return all.map((s) => ({ name: s.name, value: s.value?.trim() ?? '' })).filter((s) => s.value !== '');
}

/** The values never to print, in every form they take on the wire (see config.ts). */
function secretsOf(env: Env): string[] {
  const email = env.JIRA_EMAIL?.trim();
  const token = env.JIRA_API_TOKEN?.trim();
  const pat = env.JIRA_PAT?.trim();
  const wire = [...(email && token ? basicCredentials(email, token) : []), ...(pat ? [Buffer.from(pat, 'utf8').toString('base64')] : [])];
  return [...namedSecrets(env).map((s) => s.value), ...wire];
}

/** A short secret cannot be told apart from ordinary words: logs and alerts can hide it only
 *  where it stands alone, and then hide the same word in ordinary text too. */
function checkSecretLengths(r: DoctorReport, env: Env): void {
  const short = namedSecrets(env).filter((s) => s.value.length < LONG_SECRET);
  if (short.length === 0) {
    r.ok('secrets', 'every password and token is long enough to be told apart from ordinary text');
    return;
  }
  for (const s of short) {
    r.warn(
      'secrets',
      `${s.name} is only ${s.value.length} character${s.value.length === 1 ? '' : 's'} long: too short to be told apart from ordinary text, so logs, status and alerts hide it only where it stands as a word of its own (and hide that word everywhere)`,
      `use a password or token of at least ${LONG_SECRET} random characters`,
    );
  }
}

function readConfiguration(env: Env, r: DoctorReport): Configuration {
  // A placeholder left from .env.example is one of loadConfig's problems, naming the variable,
  // so it is a FAIL of its own here too, and the checks using it are skipped.
  const cwd = process.cwd();
  try {
    const config = loadConfig(env, 'all', { envFileDir: cwd });
    r.ok('configuration', 'every variable is set and valid');
    return { config, broken: new Set() };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const broken = new Set<string>();
    let unattributed = false;
    for (const problem of err.problems) {
      if (problem === noEnvFile(cwd)) {
        // Not a variable of its own but the likely reason for the missing ones.
        r.fail({ kind: 'config', what: 'configuration', detail: problem, fix: 'run jira-sync in the folder that holds .env (cp .env.example .env there if it has none)' });
        continue;
      }
      const names = [...new Set(problem.match(VARIABLE) ?? [])];
      if (names.length === 0) unattributed = true;
      for (const n of names) broken.add(n);
      const where = names.length > 0 ? names.join(' / ') : 'the variable named';
      r.fail({ kind: 'config', what: 'configuration', detail: problem, fix: `set or correct ${where} in .env or the environment (.env.example and the README's Configuration table describe every variable)` });
    }
    if (unattributed) return { config: null, broken };
    // Without the broken variables, defaults stand in, and the checks that need none of them run.
    const lenient: Env = { ...env };
    for (const n of broken) delete lenient[n];
    try {
      return { config: loadConfig(lenient, 'local'), broken };
    } catch {
      return { config: null, broken };
    }
  }
}

/** Does field_mapping.json still fit the table and Jira? Uses what the earlier checks fetched. */
function checkMappingFile(r: DoctorReport, config: ResolvedConfig, columns: ColumnInfo[] | null, fields: RequestTypeField[] | null): void {
  const what = 'field mapping';
  const file = config.fieldMappingPath;
  const refresh = 'run `jira-sync map-fields` to refresh it (your edits are kept), then review the changes';
  if (!fs.existsSync(file)) {
    r.fail({ kind: 'config', what, detail: `${file} does not exist yet`, fix: 'run `jira-sync map-fields` to create it (FIELD_MAPPING_PATH says where)' });
    return;
  }
  let cached: MappingFile;
  try {
    cached = readMappingFile(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    r.fail({ kind: 'config', what, detail: `${file} cannot be used`, items: err.problems, fix: 'correct the file as each line says, or rebuild it with `jira-sync map-fields`' });
    return;
  }
  // Made for other ids, the file is not out of date but for something else: comparing its
  // fields would list every one as "changed". Say which ids differ, and both ways to settle it.
  const ids = idMismatch(cached, config, file);
  if (ids) {
    r.fail({ kind: 'config', what, detail: ids, fix: idMismatchFix(config) });
    return;
  }
  if (!columns && !fields) {
    r.skip(what, `${file} is readable, but neither the table nor Jira could be read to compare it with`);
    return;
  }
  // The same comparison `map-fields --check` makes; with one side missing, the half we can do.
  const differences: string[] = [];
  if (columns && fields) {
    const result = checkMapping(cached, fields, columns, config, file);
    // Every list in the result is a kind of difference; reading them generically keeps doctor
    // in step with `map-fields --check` when a kind is added there.
    if (!checkPassed(result)) {
      for (const [kind, items] of Object.entries(result)) {
        if (Array.isArray(items)) differences.push(...items.map((i) => `${KIND_LABEL[kind] ?? ''}${String(i)}`));
      }
    }
  } else if (columns) {
    differences.push(...mappingProblems(cached, columns, config, file));
  } else if (fields) {
    differences.push(...jiraChanges(cached.fields, fields).map((c) => `changed in Jira: ${describeChange(c, config.target.kind)}`));
  }
  const against = columns && fields ? 'Jira and the table' : columns ? 'the table' : "Jira's fields";
  if (differences.length > 0) {
    r.fail({ kind: 'config', what, detail: `${file} no longer matches ${against}`, items: differences, fix: refresh });
    return;
  }
  const unchecked = columns && fields ? '' : columns ? " (not compared with Jira's fields: the Jira checks failed)" : ' (not compared with the table: the PostgreSQL checks failed)';
  r.ok(what, `${file} matches ${against}${unchecked}`);
}

/** Exit code: 0 all ok (warnings allowed), 2 configuration or mapping problem, 3 a dependency is down or refuses us. */
export async function doctorCommand(env: Env, print: (line: string) => void): Promise<number> {
  const redact = makeRedactor(secretsOf(env));
  const r = new DoctorReport((line) => print(redact(line)));
  print('jira-sync doctor: checking what a run needs. Nothing is changed.');
  print('');
  const { config, broken } = readConfiguration(env, r);
  checkSecretLengths(r, env);
  if (!config) {
    r.skip('everything else', 'the configuration could not be read at all');
    return r.finish();
  }
  const ok = (...names: string[]) => names.every((n) => !broken.has(n));
  checkIssueOnlyOptions(r, config);

  let columns: ColumnInfo[] | null = null;
  if (ok('DATABASE_URL')) {
    columns = await checkPostgres(r, config, {
      table: ok('SOURCE_TABLE'),
      columns: ok('SOURCE_ID_COLUMN', 'SOURCE_TIMESTAMP_COLUMN', 'UNIQUE_KEY_COLUMNS', 'RAISE_ON_BEHALF_OF_COLUMN'),
    });
  } else {
    r.skip('PostgreSQL', 'fix DATABASE_URL first');
  }
  if (config.writebackTable && ok('DATABASE_URL', 'WRITEBACK_TABLE')) await checkWritebackTable(r, config, config.writebackTable);
  else if (broken.has('WRITEBACK_TABLE')) r.skip('write-back table', 'fix WRITEBACK_TABLE first');
  const issue = config.target.kind === 'issue';
  const ids = issue ? ['JIRA_PROJECT_KEY', 'JIRA_ISSUE_TYPE'] : ['JSM_SERVICE_DESK_ID', 'JSM_REQUEST_TYPE_ID'];
  const fields = await checkJira(r, config, {
    auth: ok('JIRA_BASE_URL', 'JIRA_EMAIL', 'JIRA_API_TOKEN', 'JIRA_PAT'),
    desk: ok(ids[0]!) && (!issue || ok(ids[1]!)),
    requestType: ok(ids[1]!),
  });
  if (ok('FIELD_MAPPING_PATH', ...ids)) checkMappingFile(r, config, columns, fields);
  else r.skip('field mapping', `fix FIELD_MAPPING_PATH and ${ids.join(' / ')} first`);

  if (config.trackerDatabaseUrl && ok('TRACKER_DATABASE_URL', 'TRACKER_SCHEMA')) {
    await checkPostgresTracker(r, config, config.trackerDatabaseUrl);
  } else if (config.trackerDatabaseUrl) {
    r.skip('tracker and run lock', 'fix TRACKER_DATABASE_URL and TRACKER_SCHEMA first');
  } else if (ok('TRACKER_PATH')) {
    checkTrackerFile(r, config.trackerPath);
    checkLock(r, config.trackerPath, makeNow(env)());
  } else {
    r.skip('tracker and run lock', 'fix TRACKER_PATH first');
  }
  if (ok('LOG_DIR')) checkLogDir(r, config.logDir);
  else r.skip('log folder', 'fix LOG_DIR first');
  if (ok('ALERT_WEBHOOK_URL', 'SMTP_URL', 'ALERT_EMAIL_TO', 'ALERT_EMAIL_FROM')) checkAlerts(r, config);
  return r.finish();
}
