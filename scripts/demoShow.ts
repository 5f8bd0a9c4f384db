// What the demo shows of Jira's side: one ticket with its fields as a person reads them
// (option labels, not ids), and which tickets each submission got. A ticket is matched to its
// submission by the "- id: N" line of its description, which lists the row it was created
// from, so a second ticket for the same row would be counted, whatever its marker says.
import type { FakeIssue } from '../tests/support/fakeJira/index.js';
import type { Out } from './demoCli.js';

/** A Jira field as the demo shows it: a request type's field or a create screen's, options by id. */
export interface DemoField {
  fieldId: string;
  name: string;
  validValues?: { value: string; label: string }[];
}

// Set by every issue from the call itself; not worth a line.
const CONTEXT = new Set(['summary', 'project', 'issuetype']);

function fieldValue(value: unknown, options: Map<string, string>): string {
  const one = (v: unknown): string => {
    if (v !== null && typeof v === 'object' && 'id' in v) return options.get(String((v as { id: unknown }).id)) ?? String((v as { id: unknown }).id);
    return typeof v === 'string' ? v : JSON.stringify(v);
  };
  return Array.isArray(value) ? value.map(one).join(', ') : one(value);
}

/** A field's value as a person reads it: option labels for select fields. */
export function shownValue(fields: DemoField[], issue: FakeIssue, fieldId: string): string | undefined {
  const value = issue.fields[fieldId];
  if (value === undefined) return undefined;
  const options = new Map(fields.flatMap((f) => (f.validValues ?? []).map((o) => [o.value, o.label] as [string, string])));
  return fieldValue(value, options);
}

export function showTicket(out: Out, fields: DemoField[], issue: FakeIssue): void {
  out(`${issue.key}  ${issue.summary ?? ''}`);
  for (const f of fields) {
    const value = shownValue(fields, issue, f.fieldId);
    if (value === undefined || CONTEXT.has(f.fieldId)) continue;
    // The description lists every submitted field; its line count says that without the noise
    // (its text: a document's paragraphs are lines too).
    const shown = f.fieldId === 'description' ? `${(issue.description ?? '').split('\n').length} lines listing every submitted field` : value;
    out(`    ${`${f.name}:`.padEnd(17)} ${shown}`);
  }
  out(`    ${'Attachments:'.padEnd(17)} ${issue.attachments.map((a) => a.filename).join(', ') || '(none)'}`);
}

/** The source id of the row a ticket was created from, read from its description. */
export function sourceIdOf(issue: FakeIssue): string | undefined {
  // The text of the description as Jira keeps it: a document's paragraphs are its lines.
  const description = issue.description;
  return typeof description === 'string' ? /^- id: (\S+)$/m.exec(description)?.[1] : undefined;
}

export function ticketsFor(issues: FakeIssue[], sourceId: string): FakeIssue[] {
  return issues.filter((i) => sourceIdOf(i) === sourceId);
}

/** One line per submission: its tickets and attachments. Returns the ids without exactly one ticket. */
export function showTicketsPerSubmission(out: Out, issues: FakeIssue[], sourceIds: string[]): string[] {
  const wrong: string[] = [];
  out(`  ${'source id'.padEnd(10)} ${'tickets'.padEnd(8)} ${'ticket'.padEnd(7)} attachments`);
  for (const id of sourceIds) {
    const tickets = ticketsFor(issues, id);
    if (tickets.length !== 1) wrong.push(id);
    const attachments = tickets.flatMap((t) => t.attachments.map((a) => a.filename)).join(', ') || '(none)';
    out(`  ${id.padEnd(10)} ${String(tickets.length).padEnd(8)} ${(tickets.map((t) => t.key).join(', ') || '-').padEnd(7)} ${attachments}`);
  }
  const orphans = issues.filter((i) => !sourceIds.includes(sourceIdOf(i) ?? ''));
  if (orphans.length > 0) wrong.push(...orphans.map((o) => o.key));
  return wrong;
}
