// What changed in Jira since field_mapping.json was last written: fields added or removed,
// required flags, names, types and options. map-fields prints this on a refresh, and
// `map-fields --check` fails on it, so a change an admin made in Jira never goes unnoticed.
import { targetWords, type JiraTarget } from '../configTarget.js';
import type { RequestTypeField } from '../adapters/jira/gateway.js';
import type { ColumnInfo } from '../adapters/postgres/values.js';
import { kindFromSchema, type MappedField, type ValidValue } from './format.js';

export type JiraChange =
  | { kind: 'field-added'; fieldId: string; name: string; required: boolean }
  | { kind: 'field-removed'; fieldId: string; name: string }
  | { kind: 'required-changed'; fieldId: string; name: string; required: boolean }
  | { kind: 'renamed'; fieldId: string; name: string; from: string }
  | { kind: 'type-changed'; fieldId: string; name: string; from: string; to: string }
  | { kind: 'options-changed'; fieldId: string; name: string; added: string[]; removed: string[]; renamed: string[] };

/** Flattened options: "Parent" and "Parent > Child", keyed by option id. */
function optionMap(options: readonly ValidValue[] | undefined, parent?: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of options ?? []) {
    const label = parent === undefined ? o.label : `${parent} > ${o.label}`;
    out.set(parent === undefined ? o.value : `${parent}\u0000${o.value}`, label);
    for (const [k, v] of optionMap(o.children, o.label)) out.set(k, v);
  }
  return out;
}

/** Jira's type in words: the kind jira-sync converts to, plus the custom field type if any. */
function typeOf(schema: MappedField['jiraSchema'], fieldId: string): string {
  const kind = kindFromSchema(schema, fieldId);
  const custom = schema?.custom?.split(':').pop();
  return custom ? `${kind} (${custom})` : kind;
}

export function jiraChanges(cached: readonly MappedField[], jira: readonly RequestTypeField[]): JiraChange[] {
  const changes: JiraChange[] = [];
  const before = new Map(cached.map((f) => [f.fieldId, f]));
  const now = new Set(jira.map((f) => f.fieldId));
  for (const f of cached) if (!now.has(f.fieldId)) changes.push({ kind: 'field-removed', fieldId: f.fieldId, name: f.name });
  for (const f of jira) {
    const old = before.get(f.fieldId);
    if (!old) {
      changes.push({ kind: 'field-added', fieldId: f.fieldId, name: f.name, required: f.required });
      continue;
    }
    const id = { fieldId: f.fieldId, name: f.name };
    if (old.name !== f.name) changes.push({ kind: 'renamed', ...id, from: old.name });
    if (old.required !== f.required) changes.push({ kind: 'required-changed', ...id, required: f.required });
    const from = typeOf(old.jiraSchema, old.fieldId);
    const to = typeOf(f.jiraSchema, f.fieldId);
    if (from !== to || (old.jiraSchema?.items ?? '') !== (f.jiraSchema?.items ?? '')) changes.push({ kind: 'type-changed', ...id, from, to });
    const a = optionMap(old.validValues);
    const b = optionMap(f.validValues);
    const added = [...b].filter(([k]) => !a.has(k)).map(([, v]) => v);
    const removed = [...a].filter(([k]) => !b.has(k)).map(([, v]) => v);
    const renamed = [...b].filter(([k, v]) => a.has(k) && a.get(k) !== v).map(([k, v]) => `"${a.get(k)}" is now "${v}"`);
    if (added.length + removed.length + renamed.length > 0) changes.push({ kind: 'options-changed', ...id, added, removed, renamed });
  }
  return changes;
}

const quote = (items: string[]) => items.map((i) => `"${i}"`).join(', ');

/** One change in words; `kind` says where Jira lists the fields (a request type, or an issue type's create screen). */
export function describeChange(c: JiraChange, kind: JiraTarget['kind'] = 'request'): string {
  const where = targetWords(kind).fieldsIn;
  const field = `"${c.name}" (${c.fieldId})`;
  switch (c.kind) {
    case 'field-added':
      return `field ${field} was added to ${where} (${c.required ? 'required' : 'optional'})`;
    case 'field-removed':
      return `field ${field} was removed from ${where}`;
    case 'required-changed':
      return c.required ? `field ${field} is now required` : `field ${field} is no longer required`;
    case 'renamed':
      return `field ${c.fieldId} was renamed from "${c.from}" to "${c.name}"`;
    case 'type-changed':
      return `field ${field} changed type from ${c.from} to ${c.to}`;
    case 'options-changed': {
      const parts: string[] = [];
      if (c.added.length > 0) parts.push(`options added: ${quote(c.added)}`);
      if (c.removed.length > 0) parts.push(`options removed: ${quote(c.removed)}`);
      if (c.renamed.length > 0) parts.push(`options renamed: ${c.renamed.join(', ')}`);
      return `field ${field}: ${parts.join('; ')}`;
    }
  }
}

/** Columns added, removed or retyped since the file recorded the table (nothing to compare
 *  in a file written before map-fields recorded the columns). */
export function tableChanges(recorded: Readonly<Record<string, string>> | undefined, columns: readonly ColumnInfo[]): string[] {
  if (!recorded) return [];
  const now = new Map(columns.map((c) => [c.name, c.pgType]));
  const out: string[] = [];
  for (const [name, type] of Object.entries(recorded)) {
    const current = now.get(name);
    if (current === undefined) out.push(`column "${name}" (${type}) was removed from the table`);
    else if (current !== type) out.push(`column "${name}" changed type from ${type} to ${current}`);
  }
  for (const [name, type] of now) if (!(name in recorded)) out.push(`column "${name}" (${type}) was added to the table`);
  return out;
}
