// The request builder (step 4 of a run): turn one submission into the ticket it becomes (a JSM request, or an issue), using the cached mapping
// only. Every value is converted and validated here, before any Jira call, so a bad value
// fails its own submission with a message naming the column, and nothing is sent.
import type { Row } from '../adapters/postgres/values.js';
import type { ResolvedConfig } from '../config.js';
import { convertValue, isEmptyValue } from './convert.js';
import { fitUtf16, TEXT_LIMIT } from './convert-text.js';
import { isDocumentField, textToDocument } from './document.js';
import type { MappedField, MappingFile } from './format.js';

export interface TicketRequest {
  requestFieldValues: Record<string, unknown>;
  marker: string;
  attachmentName: string;
  attachment: Buffer;
  raiseOnBehalfOf?: string;
  /** Issue mode: the issue type to create (from field_mapping.json). */
  issueTypeId?: string;
}

/** How text goes to Jira: plain (JSM, Data Center's API v2), or as documents (Cloud's issue API v3). */
export type TextFormat = 'plain' | 'document';

/** Documents only for an issue on Jira Cloud (email + API token, API v3). */
export function textFormatFor(config: Pick<ResolvedConfig, 'target' | 'jiraAuth'>): TextFormat {
  return config.target.kind === 'issue' && config.jiraAuth.kind === 'basic' ? 'document' : 'plain';
}

/** The marker written on every ticket, searchable with JQL (labels allow no spaces, ≤255 chars). */
export function markerFor(key: string): string {
  return `jira-sync-${key.slice(0, 32)}`;
}

export type BuildResult = { ok: true; request: TicketRequest } | { ok: false; error: string };

/** Each value is trimmed as it goes in: "{{job}} ({{dept}})" with " Finance " gives "… (Finance)". */
export function renderTemplate(template: string, row: Row): string {
  return template.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (_, name: string) => displayValue(row[name]).trim());
}

function displayValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(displayValue).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function attachmentNameFor(sourceId: string): string {
  return `submission-${sourceId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

/** The JSON file attached to the ticket: the submission's row, as the ticket was created from it. */
export function attachmentFor(sub: { sourceId: string; payload: Row }): Pick<TicketRequest, 'attachmentName' | 'attachment'> {
  return { attachmentName: attachmentNameFor(sub.sourceId), attachment: Buffer.from(`${JSON.stringify(sub.payload, null, 2)}\n`, 'utf8') };
}

/** The description lists every submitted field, then the marker, so JQL text search can find the ticket. */
function describe(row: Row, lead: string | undefined, fullSummary: string | undefined, marker: string): string {
  const lines: string[] = [];
  if (lead) lines.push(lead, '');
  if (fullSummary) lines.push(`Full summary: ${fullSummary}`, '');
  lines.push('Submitted fields:');
  for (const [name, value] of Object.entries(row)) lines.push(`- ${name}: ${displayValue(value)}`);
  const body = lines.join('\n');
  // Jira refuses a description over 32,767 UTF-16 units. A long submission is cut, never
  // the marker: crash recovery finds the ticket by it. The attachment has everything.
  const tail = `\n\njira-sync key: ${marker}`;
  if (body.length + tail.length <= TEXT_LIMIT) return body + tail;
  const cut = '\n… (shortened to fit Jira; the attached JSON file has the whole submission)';
  return fitUtf16(body, TEXT_LIMIT - tail.length - cut.length) + cut + tail;
}

/** The raw value a field's source yields for a row, and the column it came from. */
export function sourceValue(field: MappedField, row: Row): { raw: unknown; column?: string } {
  const s = field.source;
  if (!s) return { raw: undefined };
  if ('column' in s) return { raw: row[s.column], column: s.column };
  if ('template' in s) return { raw: renderTemplate(s.template, row) };
  return { raw: s.constant };
}

export function buildTicketRequest(
  mapping: MappingFile,
  sub: { key: string; sourceId: string; payload: Row },
  raiseOnBehalfOfColumn: string | null = null,
  textFormat: TextFormat = 'plain',
): BuildResult {
  const marker = markerFor(sub.key);
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  let descriptionLead: string | undefined;
  let fullSummary: string | undefined;

  for (const field of mapping.fields) {
    const { raw, column } = sourceValue(field, sub.payload);
    const converted = convertValue(field, raw, { column, delimiter: mapping.delimiter });
    if (!converted.ok) {
      errors.push(converted.error);
      continue;
    }
    if (converted.value === undefined || (field.fieldId === 'description' && isEmptyValue(converted.value))) {
      if (field.required && field.fieldId !== 'description') {
        errors.push(`${column ? `column "${column}"` : `the ${field.source ? 'source' : 'mapping'}`} is empty, but Jira field "${field.name}" is required`);
      }
      continue;
    }
    if (field.fieldId === 'description') {
      descriptionLead = String(converted.value);
      continue;
    }
    if (field.kind === 'summary' && typeof raw === 'string' && converted.value !== raw.trim()) fullSummary = raw.trim();
    values[field.fieldId] = converted.value;
  }
  if (errors.length > 0) return { ok: false, error: errors.join('; ') };

  const fieldIds = new Set(mapping.fields.map((f) => f.fieldId));
  if (fieldIds.has('description')) values.description = describe(sub.payload, descriptionLead, fullSummary, marker);
  // The label is the marker crash recovery searches for; keep any labels the mapping set.
  if (fieldIds.has('labels')) values.labels = [...((values.labels as string[] | undefined) ?? []), marker];

  if (textFormat === 'document') {
    for (const f of mapping.fields) {
      const v = values[f.fieldId];
      if (typeof v === 'string' && isDocumentField(f)) values[f.fieldId] = textToDocument(v);
    }
  }

  let raiseOnBehalfOf: string | undefined;
  if (raiseOnBehalfOfColumn) {
    const email = sub.payload[raiseOnBehalfOfColumn];
    if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email.trim())) {
      return { ok: false, error: `column "${raiseOnBehalfOfColumn}" (RAISE_ON_BEHALF_OF_COLUMN): "${displayValue(email)}" is not an email address` };
    }
    raiseOnBehalfOf = email.trim();
  }

  return {
    ok: true,
    request: {
      requestFieldValues: values,
      marker,
      ...attachmentFor(sub),
      raiseOnBehalfOf,
      ...(mapping.projectKey !== undefined ? { issueTypeId: mapping.issueTypeId } : {}),
    },
  };
}
