// What `run --dry-run` prints for one submission: each field by its name, with option labels
// beside the ids Jira takes, so a person can check the request without reading field_mapping.json.
import type { MappingFile } from './format.js';
import type { Outcome } from '../outcome.js';

/** `{"id":"10100"}` → `Mobile phone (id 10100)`, for select, multiselect and cascade values. */
function withLabels(value: unknown, options: { value: string; label: string; children?: { value: string; label: string }[] }[]): string {
  const all = options.flatMap((o) => [o, ...(o.children ?? [])]);
  const one = (v: unknown): string => {
    const id = (v as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return JSON.stringify(v);
    const label = all.find((o) => o.value === id)?.label;
    const child = (v as { child?: unknown }).child;
    return `${label ?? '?'} (id ${id})${child ? ` > ${one(child)}` : ''}`;
  };
  return Array.isArray(value) ? value.map(one).join(', ') : one(value);
}

/** The paragraphs' text of a document built by textToDocument; null for any other value. */
function documentLines(value: unknown): string[] | null {
  const doc = value as { type?: unknown; content?: { content?: { text?: string }[] }[] } | null;
  if (doc?.type !== 'doc' || !Array.isArray(doc.content)) return null;
  return doc.content.map((p) => (p.content ?? []).map((t) => t.text ?? '').join(''));
}

export function describePreview(mapping: MappingFile, sourceId: string, outcome: Outcome): string[] {
  if (outcome.tag !== 'would-create') return [`source id ${sourceId}: would fail: ${'error' in outcome ? outcome.error : outcome.tag}`, ''];
  const lines = [`source id ${sourceId}: would create ${mapping.projectKey !== undefined ? `an issue in ${mapping.projectKey}` : 'a request'} with`];
  for (const [fieldId, value] of Object.entries(outcome.requestFieldValues)) {
    const field = mapping.fields.find((f) => f.fieldId === fieldId);
    const shown = field?.validValues?.length ? withLabels(value, field.validValues) : JSON.stringify(value);
    // A multi-line description is shown on indented lines of its own.
    // A document (Cloud's issue API) likewise, one paragraph a line.
    const paragraphs = documentLines(value);
    const multiLine = paragraphs ?? (typeof value === 'string' && value.includes('\n') ? value.split('\n') : null);
    const text = multiLine ? `${paragraphs ? ' (document)' : ''}\n${multiLine.map((l) => `      ${l}`).join('\n')}` : ` ${shown}`;
    lines.push(`  ${field?.name ?? fieldId} (${fieldId}):${text}`);
  }
  lines.push(`  attachment: ${outcome.attachmentName}`, '');
  return lines;
}
