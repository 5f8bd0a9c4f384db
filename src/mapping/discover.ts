// Builds a first field_mapping.json from Jira's request type fields and the table's columns.
// Matching is by normalised name ("Email address" <-> emailaddress); what cannot be matched
// is left for a person, except required text fields, which get a template so that a first
// `run` works out of the box.
import type { ColumnInfo } from '../adapters/postgres/values.js';
import type { RequestTypeField } from '../adapters/jira/gateway.js';
import { kindFromSchema, type FieldSource, type MappedField, type MappingFile } from './format.js';

export function normalizeName(s: string): string {
  return s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]/g, '');
}

// Fields jira-sync fills itself: the description (every submitted field plus the marker)
// and labels (the marker). They never need a column.
const GENERATED = new Set(['description', 'labels']);

export function defaultSummaryTemplate(columns: ColumnInfo[], idColumn: string): string {
  const email = columns.find((c) => /e?mail/i.test(c.name));
  return `Web form request #{{${idColumn}}}${email ? ` from {{${email.name}}}` : ''}`;
}

function matchColumn(field: RequestTypeField, columns: ColumnInfo[]): FieldSource | null {
  const wanted = new Set([normalizeName(field.name), normalizeName(field.fieldId)]);
  const col = columns.find((c) => wanted.has(normalizeName(c.name)));
  return col ? { column: col.name, match: 'exact' } : null;
}

export function discoverMapping(
  fields: RequestTypeField[],
  columns: ColumnInfo[],
  opts: { serviceDeskId: string; requestTypeId: string; idColumn: string; now: Date },
): MappingFile {
  const mapped: MappedField[] = fields.map((f) => {
    const kind = kindFromSchema(f.jiraSchema, f.fieldId);
    let source: FieldSource | null = GENERATED.has(f.fieldId) ? null : matchColumn(f, columns);
    if (!source && f.required && (kind === 'summary' || kind === 'text') && !GENERATED.has(f.fieldId)) {
      source = { template: kind === 'summary' ? defaultSummaryTemplate(columns, opts.idColumn) : `See the attached submission {{${opts.idColumn}}}` };
    }
    const out: MappedField = { fieldId: f.fieldId, name: f.name, required: f.required, kind, jiraSchema: f.jiraSchema, source };
    if (f.validValues && f.validValues.length > 0) out.validValues = f.validValues;
    return out;
  });
  const used = new Set(mapped.flatMap((m) => (m.source && 'column' in m.source ? [m.source.column] : [])));
  return {
    version: 1,
    serviceDeskId: opts.serviceDeskId,
    requestTypeId: opts.requestTypeId,
    generatedAt: opts.now.toISOString(),
    delimiter: ';',
    fields: mapped,
    unusedColumns: columns.map((c) => c.name).filter((n) => !used.has(n)),
    unmappedRequired: mapped.filter((m) => m.required && !m.source && !GENERATED.has(m.fieldId)).map((m) => m.fieldId),
  };
}
