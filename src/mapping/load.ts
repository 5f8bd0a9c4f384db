// Reads and validates field_mapping.json before a run touches anything. `run` uses this
// cached file only: it never asks Jira for fields, so a bad file must be caught here,
// with a message that names the field and says how to fix it.
import fs from 'node:fs';
import { ConfigError, errorMessage } from '../errors.js';
import type { ColumnInfo } from '../adapters/postgres/values.js';
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
    throw new ConfigError([`${file} is not valid JSON (${errorMessage(err)}); fix it or ${FIX} --force`]);
  }
  const problems = formatProblems(parsed, file);
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed as MappingFile;
}

function formatProblems(m: unknown, file: string): string[] {
  if (typeof m !== 'object' || m === null) return [`${file}: expected a JSON object; ${FIX}`];
  const o = m as Partial<MappingFile>;
  const problems: string[] = [];
  if (o.version !== 1) problems.push(`${file}: "version" must be 1`);
  if (typeof o.delimiter !== 'string' || o.delimiter === '') problems.push(`${file}: "delimiter" must be a non-empty string such as ";"`);
  if (!Array.isArray(o.fields)) return [...problems, `${file}: "fields" must be a list; ${FIX}`];
  o.fields.forEach((f: Partial<MappedField>, i) => {
    const name = typeof f?.fieldId === 'string' ? `field "${f.fieldId}"` : `fields[${i}]`;
    if (typeof f?.fieldId !== 'string') problems.push(`${file}: ${name} has no "fieldId"`);
    if (typeof f?.required !== 'boolean') problems.push(`${file}: ${name}: "required" must be true or false`);
    if (!KINDS.includes(f?.kind as FieldKind)) problems.push(`${file}: ${name}: "kind" must be one of ${KINDS.join(', ')}`);
    const s = f?.source as Record<string, unknown> | null | undefined;
    if (s !== null && s !== undefined) {
      const keys = Object.keys(s).filter((k) => ['column', 'template', 'constant'].includes(k));
      if (keys.length !== 1) problems.push(`${file}: ${name}: "source" must have exactly one of "column", "template" or "constant"`);
      else if (keys[0] !== 'constant' && typeof s[keys[0] as string] !== 'string') problems.push(`${file}: ${name}: "source.${keys[0]}" must be a string`);
    }
  });
  return problems;
}

/** Checks that need the config and the table: run refuses to start on any of these. */
export function mappingProblems(m: MappingFile, columns: ColumnInfo[], expect: { serviceDeskId: string; requestTypeId: string }, file: string): string[] {
  const names = new Set(columns.map((c) => c.name));
  const problems: string[] = [];
  if (m.serviceDeskId !== expect.serviceDeskId || m.requestTypeId !== expect.requestTypeId) {
    problems.push(
      `${file} was made for service desk ${m.serviceDeskId}, request type ${m.requestTypeId}, but JSM_SERVICE_DESK_ID/JSM_REQUEST_TYPE_ID say ${expect.serviceDeskId}/${expect.requestTypeId}; ${FIX}`,
    );
  }
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
  }
  return problems;
}

export function loadMapping(file: string, columns: ColumnInfo[], expect: { serviceDeskId: string; requestTypeId: string }): MappingFile {
  const m = readMappingFile(file);
  const problems = mappingProblems(m, columns, expect, file);
  if (problems.length > 0) throw new ConfigError(problems);
  return m;
}
