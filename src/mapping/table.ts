// The table map-fields prints: one row per Jira field, with the newest submission converted
// exactly as `run` would send it. Reading the sample next to the source is how a person
// spots a wrong match ("Department" fed by the phone number) before any ticket exists.
import type { ColumnInfo, Row } from '../adapters/postgres/values.js';
import { sourceValue } from './request.js';
import { convertValue } from './convert.js';
import { isGenerated } from './discover.js';
import type { MappedField, MappingFile } from './format.js';
import { wrapLine } from '../wrap.js';

export const MARK = '✗';
const CELL_LIMIT = 60;

export interface MappingTable {
  /** The rendered table, lines joined with "\n". */
  text: string;
  /** One line per marked row, with the full reason (cells are shortened). */
  marked: string[];
}

function shorten(text: string, limit = CELL_LIMIT): string {
  const points = Array.from(text.replace(/\s+/gu, ' '));
  return points.length <= limit ? points.join('') : `${points.slice(0, limit - 1).join('')}…`;
}

function sourceCell(f: MappedField, columns: ReadonlyMap<string, ColumnInfo>): string {
  const s = f.source;
  if (!s) {
    if (isGenerated(f.fieldId)) return '(filled by jira-sync)';
    return f.required ? `${MARK} UNMAPPED (required)` : '-';
  }
  if ('column' in s) {
    const col = columns.get(s.column);
    const how = [col ? col.pgType : 'NOT IN TABLE', s.match ?? 'by hand'].join(', ');
    return `${col ? '' : `${MARK} `}column ${s.column} (${how})`;
  }
  if ('template' in s) return `template "${s.template}"`;
  return `constant ${JSON.stringify(s.constant)}`;
}

/** The sample cell and, when Jira would refuse the value, why. */
function sampleCell(f: MappedField, row: Row | null, delimiter: string): { text: string; problem?: string } {
  if (!row) return { text: '(no rows yet)' };
  if (!f.source) {
    if (f.fieldId === 'description') return { text: '(every submitted field + jira-sync key)' };
    if (f.fieldId === 'labels') return { text: '["jira-sync-…"]' };
    return f.required ? { text: `${MARK} (nothing: Jira requires a value)`, problem: 'required, but nothing feeds it' } : { text: '(not sent)' };
  }
  const { raw, column } = sourceValue(f, row);
  const converted = convertValue(f, raw, { column, delimiter });
  if (!converted.ok) return { text: `${MARK} ${converted.error}`, problem: converted.error };
  if (converted.value === undefined) {
    if (f.required && !isGenerated(f.fieldId)) return { text: `${MARK} (empty: Jira requires a value)`, problem: `${column ? `column "${column}"` : 'the source'} is empty in the sample, but the field is required` };
    return { text: '(empty: not sent)' };
  }
  if (f.kind === 'unsupported') return { text: `? ${JSON.stringify(converted.value)}`, problem: `jira-sync does not convert ${f.jiraSchema?.type ?? 'this'} fields; the value is sent as is and Jira may refuse it` };
  if (f.fieldId === 'labels') return { text: `${JSON.stringify(converted.value)} + jira-sync key` };
  return { text: `${JSON.stringify(converted.value)}${optionLabels(f, converted.value)}` };
}

/** Option ids mean nothing to a reader: ' = Headset, Mobile phone' says what they stand for. */
function optionLabels(f: MappedField, value: unknown): string {
  if ((f.kind !== 'select' && f.kind !== 'multiselect') || !f.validValues) return '';
  const ids = (Array.isArray(value) ? value : [value]).map((v) => (v as { id?: string }).id);
  const labels = ids.map((id) => f.validValues?.find((o) => o.value === id)?.label).filter((l) => l !== undefined);
  return labels.length > 0 ? ` = ${labels.join(', ')}` : '';
}

function escape(cell: string): string {
  return cell.replace(/\|/g, '\\|');
}

/**
 * The table, or, when it would be wider than `width` (a terminal), one block per field:
 * the field's name, then its source and sample on lines of their own.
 */
export function mappingTable(m: MappingFile, columns: readonly ColumnInfo[], sample: Row | null, width = Infinity): MappingTable {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const marked: string[] = [];
  const rows = m.fields.map((f) => {
    const source = sourceCell(f, byName);
    const cell = sampleCell(f, sample, m.delimiter);
    const label = `${f.name} (${f.fieldId})`;
    if (!f.source && f.required && !isGenerated(f.fieldId)) marked.push(`${MARK} ${label}: required, but no column, template or constant feeds it`);
    else if (f.source && 'column' in f.source && !byName.has(f.source.column)) marked.push(`${MARK} ${label}: column "${f.source.column}" is not in the table`);
    else if (cell.problem) marked.push(`${MARK} ${label}: ${cell.problem}`);
    return [label, f.required ? 'yes' : 'no', f.kind, source, shorten(cell.text)].map(escape);
  });
  const header = ['Jira field', 'required', 'type', 'source', 'sample value as it would be sent'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => Array.from(r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - Array.from(c).length)).join(' | ')} |`;
  const text = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
  if (widths.reduce((a, w) => a + w + 3, 1) <= width) return { text, marked };
  const blocks = rows.map(([label, required, kind, source, value]) =>
    [`${label}  ${required === 'yes' ? 'required' : 'optional'}, ${kind}`, `    source: ${source}`, `    sample: ${value}`].flatMap((l) => wrapLine(l, 12, width)).join('\n'),
  );
  return { text: blocks.join('\n'), marked };
}
