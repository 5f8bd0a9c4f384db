// Builds field_mapping.json entries from Jira's request type fields and the table's columns.
// Columns are matched by name (match.ts); what cannot be matched is left for a person,
// except the summary, which gets a template so that a first `run` works out of the box.
import type { ColumnInfo } from '../adapters/postgres/values.js';
import type { RequestTypeField } from '../adapters/jira/gateway.js';
import { kindFromSchema, type FieldSource, type MappedField, type MappingFile, type MappingIds, type ValidValue } from './format.js';
import { templateVariables } from './load.js';
import { matchColumns } from './match.js';

export { normalizeName } from './match.js';

// Fields jira-sync fills itself: the description (every submitted field plus the marker)
// and labels (the marker). They never need a column.
const GENERATED = new Set(['description', 'labels']);

export function isGenerated(fieldId: string): boolean {
  return GENERATED.has(fieldId);
}

export function defaultSummaryTemplate(columns: readonly ColumnInfo[], idColumn: string): string {
  const email = columns.find((c) => /e?mail/i.test(c.name));
  return `Web form request #{{${idColumn}}}${email ? ` from {{${email.name}}}` : ''}`;
}

/**
 * A field's entry in field_mapping.json. What Jira says (name, required, kind, jiraSchema,
 * validValues) is cached and refreshed on every map-fields; `source` and any property a
 * person added (`extra`) are theirs. The source comes right after the name so a person
 * reading the file sees it before the long option lists.
 */
export function fieldEntry(f: RequestTypeField, source: FieldSource | null, extra: Record<string, unknown> = {}): MappedField {
  const out: MappedField = { fieldId: f.fieldId, name: f.name, required: f.required, kind: kindFromSchema(f.jiraSchema, f.fieldId), source };
  Object.assign(out, extra);
  if (f.jiraSchema) out.jiraSchema = f.jiraSchema;
  if (f.validValues && f.validValues.length > 0) out.validValues = cleanOptions(f.validValues);
  return out;
}

/** Jira sends `children: []` on every plain option; the file leaves it out to stay readable. */
function cleanOptions(options: readonly ValidValue[]): ValidValue[] {
  return options.map((o) => {
    const out: ValidValue = { value: o.value, label: o.label };
    if (o.children && o.children.length > 0) out.children = cleanOptions(o.children);
    return out;
  });
}

/** Whether map-fields may propose a column for the field: not for fields jira-sync fills or
 *  whose type it does not convert (a column value would be sent to Jira unchecked). */
function matchable(f: RequestTypeField): boolean {
  return !GENERATED.has(f.fieldId) && kindFromSchema(f.jiraSchema, f.fieldId) !== 'unsupported';
}

/**
 * Proposed sources for `fields`, leaving the columns in `taken` to the fields that already
 * use them. A summary no column matches gets the default template.
 */
export function proposeSources(
  fields: readonly RequestTypeField[],
  columns: readonly ColumnInfo[],
  opts: { idColumn: string; taken?: ReadonlySet<string> },
): Map<string, FieldSource> {
  const matches = matchColumns(fields.filter(matchable), columns, opts.taken);
  const out = new Map<string, FieldSource>();
  for (const f of fields) {
    const m = matches.get(f.fieldId);
    if (m) out.set(f.fieldId, { column: m.column, match: m.match });
    else if (kindFromSchema(f.jiraSchema, f.fieldId) === 'summary') out.set(f.fieldId, { template: defaultSummaryTemplate(columns, opts.idColumn) });
  }
  return out;
}

/** Columns a field's source reads: its column, or the variables of its template. */
export function sourceColumns(source: FieldSource | null | undefined): string[] {
  if (!source) return [];
  if ('column' in source) return [source.column];
  if ('template' in source) return templateVariables(source.template);
  return [];
}

/** The informational parts of the file, recomputed from the fields and the table. */
export function listings(fields: readonly MappedField[], columns: readonly ColumnInfo[]): Pick<MappingFile, 'unusedColumns' | 'unmappedRequired' | 'columns'> {
  const used = new Set(fields.flatMap((f) => sourceColumns(f.source)));
  return {
    unusedColumns: columns.map((c) => c.name).filter((n) => !used.has(n)),
    unmappedRequired: fields.filter((f) => f.required && !f.source && !GENERATED.has(f.fieldId)).map((f) => f.fieldId),
    columns: Object.fromEntries(columns.map((c) => [c.name, c.pgType])),
  };
}

export function discoverMapping(
  fields: RequestTypeField[],
  columns: ColumnInfo[],
  opts: { ids: MappingIds; idColumn: string; now: Date },
): MappingFile {
  const sources = proposeSources(fields, columns, { idColumn: opts.idColumn });
  const mapped: MappedField[] = fields.map((f) => fieldEntry(f, sources.get(f.fieldId) ?? null));
  return {
    version: 1,
    ...opts.ids,
    generatedAt: opts.now.toISOString(),
    delimiter: ';',
    fields: mapped,
    ...listings(mapped, columns),
  };
}
