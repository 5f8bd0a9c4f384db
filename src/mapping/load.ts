// Reads and validates field_mapping.json before a run touches anything. `run` uses this
// cached file only: it never asks Jira for fields, so a bad file must be caught here,
// with a message that names the field and says how to fix it.
import fs from 'node:fs';
import type { JiraTarget } from '../config.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { ColumnInfo } from '../adapters/postgres/values.js';
import { convertValue } from './convert.js';
import type { FieldKind, MappedField, MappingFile } from './format.js';

const KINDS: FieldKind[] = ['summary', 'text', 'number', 'date', 'datetime', 'select', 'multiselect', 'labels', 'cascade', 'unsupported'];
const FIX = 'run `jira-sync map-fields` (or edit the file)';

export function templateVariables(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((m) => m[1] as string);
}

export function readMappingFile(file: string): MappingFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError([`${file} not found: run \`jira-sync map-fields\` to create it (FIELD_MAPPING_PATH)`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${file} is not valid JSON (${errorMessage(err)}); fix it, or run \`jira-sync map-fields --force\` to rebuild it`]);
  }
  const problems = formatProblems(parsed, file);
  if (problems.length > 0) throw new ConfigError(problems);
  // The two lists and a field's "source" may be left out by a person editing the file.
  const m = parsed as MappingFile;
  m.unusedColumns = Array.isArray(m.unusedColumns) ? m.unusedColumns : [];
  m.unmappedRequired = Array.isArray(m.unmappedRequired) ? m.unmappedRequired : [];
  for (const f of m.fields) f.source ??= null;
  return m;
}

const MATCHES = ['exact', 'synonym', 'prefix', 'manual'];
const SOURCE_KEYS = ['column', 'template', 'constant'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Options as cached from Jira: a list of {"value": id, "label": text}, children likewise. */
function optionsProblem(v: unknown, depth = 0): string | null {
  if (!Array.isArray(v)) return 'must be a list';
  for (const o of v) {
    if (!isObject(o) || typeof o.value !== 'string' || typeof o.label !== 'string') return 'must hold {"value": "<option id>", "label": "<text>"} entries';
    if (o.children !== undefined && depth === 0) {
      const p = optionsProblem(o.children, 1);
      if (p) return `children of "${o.label}" ${p}`;
    }
  }
  return null;
}

function sourceProblem(s: unknown): string | null {
  if (s === null || s === undefined) return null;
  if (!isObject(s)) return '"source" must be null or an object such as {"column": "email_address"}';
  const keys = Object.keys(s).filter((k) => SOURCE_KEYS.includes(k));
  if (keys.length !== 1) return '"source" must have exactly one of "column", "template" or "constant"';
  const key = keys[0] as string;
  if (key !== 'constant' && (typeof s[key] !== 'string' || s[key] === '')) return `"source.${key}" must be a non-empty string`;
  if (s.match !== undefined && !MATCHES.includes(s.match as string)) return `"source.match" must be one of ${MATCHES.join(', ')} (or left out)`;
  return null;
}

function formatProblems(m: unknown, file: string): string[] {
  if (!isObject(m)) return [`${file}: expected a JSON object; ${FIX}`];
  const o = m as Partial<MappingFile>;
  const problems: string[] = [];
  if (o.version !== 1) problems.push(`${file}: "version" must be 1`);
  // A file for a plain project names it and its issue type; one for a service desk, the desk and request type.
  const idKeys = o.projectKey !== undefined ? (['projectKey', 'issueTypeId'] as const) : (['serviceDeskId', 'requestTypeId'] as const);
  for (const k of idKeys) {
    if (typeof o[k] !== 'string') problems.push(`${file}: "${k}" must be a string such as "${k === 'projectKey' ? 'ITS' : '1'}"; ${FIX}`);
  }
  if (typeof o.delimiter !== 'string' || o.delimiter === '') problems.push(`${file}: "delimiter" must be a non-empty string such as ";"`);
  if (o.columns !== undefined && (!isObject(o.columns) || !Object.values(o.columns).every((t) => typeof t === 'string'))) {
    problems.push(`${file}: "columns" must map column names to their Postgres types (or be left out); ${FIX}`);
  }
  if (!Array.isArray(o.fields)) return [...problems, `${file}: "fields" must be a list; ${FIX}`];
  const seen = new Set<string>();
  for (const [i, raw] of (o.fields as unknown[]).entries()) {
    if (!isObject(raw)) {
      problems.push(`${file}: fields[${i}] must be an object; ${FIX}`);
      continue;
    }
    const f = raw as Partial<MappedField>;
    const name = typeof f.fieldId === 'string' ? `field "${f.fieldId}"` : `fields[${i}]`;
    if (typeof f.fieldId !== 'string' || f.fieldId === '') problems.push(`${file}: ${name} has no "fieldId"`);
    else if (seen.has(f.fieldId)) problems.push(`${file}: ${name} is listed twice; keep one entry`);
    else seen.add(f.fieldId);
    if (typeof f.name !== 'string') problems.push(`${file}: ${name}: "name" must be a string`);
    if (typeof f.required !== 'boolean') problems.push(`${file}: ${name}: "required" must be true or false`);
    if (!KINDS.includes(f.kind as FieldKind)) problems.push(`${file}: ${name}: "kind" must be one of ${KINDS.join(', ')}`);
    if (f.jiraSchema !== undefined && !isObject(f.jiraSchema)) problems.push(`${file}: ${name}: "jiraSchema" must be an object`);
    const options = f.validValues === undefined ? null : optionsProblem(f.validValues);
    if (options) problems.push(`${file}: ${name}: "validValues" ${options}; ${FIX} to refresh them`);
    const source = sourceProblem(f.source);
    if (source) problems.push(`${file}: ${name}: ${source}`);
  }
  return problems;
}

/** Both causes, the likelier first: a mistyped id in .env is fixed there, not by a new mapping. */
export const ID_MISMATCH_FIX =
  'either the id in .env is wrong (`jira-sync doctor` lists the service desks and request types there are), or the file is for another desk or request type (run `jira-sync map-fields --force` to make one for these ids)';
const ISSUE_MISMATCH_FIX =
  'either JIRA_PROJECT_KEY or JIRA_ISSUE_TYPE in .env is wrong (`jira-sync doctor` lists the projects and issue types there are), or the file is for another project or issue type (run `jira-sync map-fields --force` to make one for these)';

/** What the configuration expects a file to be for: the config itself, or (older callers) the two request-mode ids. */
export type MappingExpect = { serviceDeskId: string; requestTypeId: string; target?: JiraTarget } | { target: JiraTarget };

/** The target a configuration (or the two request-mode ids) points at. */
export function targetOf(expect: MappingExpect): JiraTarget {
  if (expect.target) return expect.target;
  const e = expect as { serviceDeskId: string; requestTypeId: string };
  return { kind: 'request', serviceDeskId: e.serviceDeskId, requestTypeId: e.requestTypeId };
}

/** How to settle a file made for other ids, in the configuration's own words. */
export function idMismatchFix(expect: MappingExpect): string {
  return targetOf(expect).kind === 'issue' ? ISSUE_MISMATCH_FIX : ID_MISMATCH_FIX;
}

/** Whether JIRA_ISSUE_TYPE (a name or an id) names the issue type a file was made for. */
export function sameIssueType(configured: string, m: Pick<MappingFile, 'issueTypeId' | 'issueTypeName'>): boolean {
  return configured === m.issueTypeId || configured.toLowerCase() === (m.issueTypeName ?? '').toLowerCase();
}

/** Which of the ids differ between the file and the configuration, in words; null when none. */
export function idMismatch(m: MappingFile, expect: MappingExpect, file: string): string | null {
  const target = targetOf(expect);
  const made: string[] = [];
  const say: string[] = [];
  const madeFor = m.projectKey !== undefined ? `project ${m.projectKey}, issue type ${m.issueTypeName || m.issueTypeId}` : `service desk ${m.serviceDeskId}, request type ${m.requestTypeId}`;
  if (target.kind === 'issue') {
    if (m.projectKey === undefined) return `${file} was made for ${madeFor}, but JIRA_PROJECT_KEY and JIRA_ISSUE_TYPE name a plain project`;
    if (m.projectKey.toUpperCase() !== target.projectKey) {
      made.push(`project ${m.projectKey}`);
      say.push(`JIRA_PROJECT_KEY says ${target.projectKey}`);
    }
    if (!sameIssueType(target.issueType, m)) {
      made.push(`issue type ${m.issueTypeName || m.issueTypeId} (${m.issueTypeId})`);
      say.push(`JIRA_ISSUE_TYPE says ${target.issueType}`);
    }
  } else {
    if (m.projectKey !== undefined) return `${file} was made for ${madeFor}, but JSM_SERVICE_DESK_ID and JSM_REQUEST_TYPE_ID name a service desk`;
    if (m.serviceDeskId !== target.serviceDeskId) {
      made.push(`service desk ${m.serviceDeskId}`);
      say.push(`JSM_SERVICE_DESK_ID says ${target.serviceDeskId}`);
    }
    if (m.requestTypeId !== target.requestTypeId) {
      made.push(`request type ${m.requestTypeId}`);
      say.push(`JSM_REQUEST_TYPE_ID says ${target.requestTypeId}`);
    }
  }
  return made.length === 0 ? null : `${file} was made for ${made.join(', ')}, but ${say.join(' and ')}`;
}

/** Checks that need the config and the table: run refuses to start on any of these. */
export function mappingProblems(m: MappingFile, columns: readonly ColumnInfo[], expect: MappingExpect, file: string): string[] {
  const names = new Set(columns.map((c) => c.name));
  const problems: string[] = [];
  const ids = idMismatch(m, expect, file);
  if (ids) problems.push(`${ids}: ${idMismatchFix(expect)}`);
  for (const f of m.fields) {
    const label = `Jira field "${f.name ?? f.fieldId}" (${f.fieldId})`;
    const s = f.source;
    if (!s) {
      // description and labels are filled by jira-sync itself (field listing and marker).
      if (f.required && f.fieldId !== 'description' && f.fieldId !== 'labels') problems.push(`${label} is required but has no source; give it a column, template or constant: ${FIX}`);
      continue;
    }
    if ('column' in s && !names.has(s.column)) problems.push(`${label} maps to column "${s.column}", which the table does not have; ${FIX}`);
    if ('template' in s) {
      for (const v of templateVariables(s.template)) {
        if (!names.has(v)) problems.push(`${label}: template variable {{${v}}} names no column of the table; ${FIX}`);
      }
    }
    if ('constant' in s) {
      // A constant is the same for every submission: check it once here, not per submission.
      const converted = convertValue(f, s.constant, { delimiter: m.delimiter });
      if (!converted.ok) problems.push(`${label}: constant ${JSON.stringify(s.constant)} is not accepted: ${converted.error}; ${FIX}`);
      else if (converted.value === undefined && f.required) problems.push(`${label} is required but its constant is empty; ${FIX}`);
    }
  }
  return problems;
}

export function loadMapping(file: string, columns: ColumnInfo[], expect: MappingExpect): MappingFile {
  const m = readMappingFile(file);
  const problems = mappingProblems(m, columns, expect, file);
  if (problems.length > 0) throw new ConfigError(problems);
  return m;
}
