// `map-fields --check`: is field_mapping.json still true to Jira and to the table? Every
// difference is listed; nothing is written. A cron job or CI can run it before `run` and
// alert a person when an admin changed the request type or someone altered the table.
import type { RequestTypeField } from '../adapters/jira/gateway.js';
import type { ColumnInfo } from '../adapters/postgres/values.js';
import { describeChange, jiraChanges, tableChanges } from './changes.js';
import type { MappingFile } from './format.js';
import { idMismatch, mappingProblems, targetOf, type MappingExpect } from './load.js';

export interface CheckResult {
  /** What changed in Jira since the file was written. */
  jira: string[];
  /** What changed in the table since the file was written. */
  table: string[];
  /** What `run` would refuse to start on (table and mapping together). */
  problems: string[];
  /** The file was made for another service desk, request type, project or issue type: a refresh
   *  refuses it, so the way out is in `problems`, not `map-fields`. */
  otherTarget: boolean;
}

export function checkMapping(
  cached: MappingFile,
  fields: readonly RequestTypeField[],
  columns: readonly ColumnInfo[],
  expect: MappingExpect,
  file: string,
): CheckResult {
  const kind = targetOf(expect).kind;
  // Fields of another request or issue type differ in every way; listing them hides the one fix.
  const otherTarget = idMismatch(cached, expect, file) !== null;
  return {
    jira: otherTarget ? [] : jiraChanges(cached.fields, fields).map((c) => describeChange(c, kind)),
    table: tableChanges(cached.columns, columns),
    problems: mappingProblems(cached, columns, expect, file),
    otherTarget,
  };
}

export function checkPassed(r: CheckResult): boolean {
  return r.jira.length + r.table.length + r.problems.length === 0;
}

/** The report --check prints, one line per difference under a heading per kind. */
export function formatCheck(r: CheckResult, file: string): string[] {
  if (checkPassed(r)) return [`${file} matches Jira and the table.`];
  const out: string[] = [`${file} differs from Jira or the table:`];
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    out.push(`${title}:`, ...items.map((i) => `  - ${i}`));
  };
  section('Changed in Jira since the file was written', r.jira);
  section('Changed in the table since the file was written', r.table);
  section('Problems `run` would refuse to start on', r.problems);
  if (!r.otherTarget) out.push('Run `jira-sync map-fields` to refresh the file (your edits are kept), then review the changes.');
  return out;
}
