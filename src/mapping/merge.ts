// Refreshing field_mapping.json without losing a person's work. The rule is simple enough to
// state in the README: what Jira says about a field (name, required, type, options) is
// refreshed; where its value comes from (`source`, and any property a person added) is kept.
// The only sources map-fields ever fills in on a refresh are those of new fields and of
// required fields that have none (a mapping `run` refuses anyway); an optional field a
// person left without a source stays so, with a suggestion printed instead.
import type { RequestTypeField } from '../adapters/jira/gateway.js';
import { targetWords } from '../configTarget.js';
import type { ColumnInfo } from '../adapters/postgres/values.js';
import { fieldEntry, isGenerated, listings, proposeSources, sourceColumns } from './discover.js';
import { mappingIdsOf, type FieldSource, type MappedField, type MappingFile, type MappingIds } from './format.js';

/** Properties map-fields owns; everything else on a field entry belongs to the person. */
const CACHED = new Set(['fieldId', 'name', 'required', 'kind', 'jiraSchema', 'validValues', 'source']);

export interface MergeNote {
  fieldId: string;
  name: string;
  text: string;
}

export interface MergeResult {
  mapping: MappingFile;
  /** What the refresh did to the mapping, one line per field, for the operator. */
  notes: MergeNote[];
}

export function describeFieldSource(s: FieldSource | null | undefined): string {
  if (!s) return 'no source';
  if ('column' in s) return `column "${s.column}"`;
  if ('template' in s) return `template "${s.template}"`;
  return `constant ${JSON.stringify(s.constant)}`;
}

function personalProps(f: MappedField): Record<string, unknown> {
  return Object.fromEntries(Object.entries(f).filter(([k]) => !CACHED.has(k)));
}

export function mergeMapping(
  old: MappingFile,
  fields: RequestTypeField[],
  columns: ColumnInfo[],
  opts: { idColumn: string; now: Date; ids?: MappingIds },
): MergeResult {
  const notes: MergeNote[] = [];
  const before = new Map(old.fields.map((f) => [f.fieldId, f]));
  const present = new Set(fields.map((f) => f.fieldId));
  // Columns already given to a field that stays: a proposal must not take them away.
  const taken = new Set(old.fields.filter((f) => present.has(f.fieldId) && f.source && 'column' in f.source).flatMap((f) => sourceColumns(f.source)));
  const open = fields.filter((f) => !before.get(f.fieldId)?.source);
  const proposals = proposeSources(open, columns, { idColumn: opts.idColumn, taken });

  const merged = fields.map((f): MappedField => {
    const prev = before.get(f.fieldId);
    const proposal = proposals.get(f.fieldId) ?? null;
    const note = (text: string) => notes.push({ fieldId: f.fieldId, name: f.name, text });
    if (!prev) {
      note(proposal ? `new field: mapped to ${describeFieldSource(proposal)}${matchNote(proposal)}` : `new field: no column matches${f.required && !isGenerated(f.fieldId) ? '; it is required, give it a source' : ''}`);
      return fieldEntry(f, proposal);
    }
    let source = prev.source ?? null;
    if (!source && proposal) {
      if (f.required && !isGenerated(f.fieldId)) {
        source = proposal;
        note(`required and had no source: now mapped to ${describeFieldSource(proposal)}${matchNote(proposal)}`);
      } else if (!isGenerated(f.fieldId)) {
        note(`has no source; ${describeFieldSource(proposal)} looks like a match${matchNote(proposal)}: set it in the file if it is right`);
      }
    }
    return fieldEntry(f, source, personalProps(prev));
  });

  const ids = opts.ids ?? mappingIdsOf(old);
  const where = targetWords('projectKey' in ids ? 'issue' : 'request').fieldsIn;
  for (const f of old.fields) {
    if (!present.has(f.fieldId)) notes.push({ fieldId: f.fieldId, name: f.name, text: `removed from ${where} in Jira: dropped from the mapping (its source was ${describeFieldSource(f.source)})` });
  }

  return {
    mapping: {
      version: 1,
      // The ids as Jira names them now (an issue type renamed in Jira), else the file's own.
      ...ids,
      generatedAt: opts.now.toISOString(),
      delimiter: old.delimiter,
      fields: merged,
      ...listings(merged, columns),
    },
    notes,
  };
}

function matchNote(s: FieldSource): string {
  return 'column' in s && s.match ? ` (${s.match} match)` : '';
}

/** JSON with object keys sorted: a person reordering properties changes nothing. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Same content, ignoring when it was written: nothing to write, nothing to report. */
export function sameMapping(a: MappingFile, b: MappingFile): boolean {
  return canonical({ ...a, generatedAt: '' }) === canonical({ ...b, generatedAt: '' });
}

/** For --force: which hand-made sources the rebuild replaced, so none is lost silently. */
export function replacedSources(old: MappingFile, rebuilt: MappingFile): MergeNote[] {
  const fresh = new Map(rebuilt.fields.map((f) => [f.fieldId, f]));
  const notes: MergeNote[] = [];
  for (const f of old.fields) {
    const now = fresh.get(f.fieldId);
    if (!now || canonical(f.source ?? null) === canonical(now.source)) continue;
    notes.push({ fieldId: f.fieldId, name: f.name, text: `--force replaced ${describeFieldSource(f.source)} with ${describeFieldSource(now.source)}` });
  }
  return notes;
}
