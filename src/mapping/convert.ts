// Converts one source value into what JSM's `requestFieldValues` expects for a field,
// or into an error message a support operator can act on without reading code.

import type { MappedField, ValidValue } from './format.js';
import { toJiraDate, toJiraDateTime } from './convert-time.js';
import { allowedList, findOption, matchCascade, matchCascadeParts, splitCascade } from './convert-options.js';
import type { CascadeMatch } from './convert-options.js';
import { textLimit, toSummary } from './convert-text.js';

export type ConvertResult = { ok: true; value: unknown } | { ok: false; error: string };

export interface ConvertContext {
  /** The source column, named in messages; absent for templates and constants. */
  column?: string;
  /** Separator of several values held in one text column (field_mapping.json "delimiter"). */
  delimiter: string;
}

// Per label, in UTF-16 units like every Jira length (see convert-text.ts).
const LABEL_LIMIT = 255;
const ELLIPSIS = '…';
const DEFAULT_DELIMITER = ';';
const PREVIEW_LIMIT = 80;

/** Value present? null, undefined, '' and whitespace-only count as empty; so does a
 *  list (Postgres array) with no non-empty element, because it selects nothing. */
export function isEmptyValue(raw: unknown): boolean {
  if (raw === null || raw === undefined) return true;
  if (typeof raw === 'string') return raw.trim() === '';
  if (Array.isArray(raw)) return raw.every(isEmptyValue);
  return false;
}

export function convertValue(field: MappedField, raw: unknown, ctx: ConvertContext): ConvertResult {
  // Whether an empty required field is an error is the caller's decision.
  if (isEmptyValue(raw)) return ok(undefined);
  const fail = (message: string): ConvertResult => ({ ok: false, error: `${where(ctx)}${message}` });
  const options = field.validValues !== undefined && field.validValues.length > 0 ? field.validValues : undefined;

  switch (field.kind) {
    case 'text': {
      const text = asText(raw).trim();
      const limit = textLimit(field);
      if (text.length <= limit) return ok(text);
      return fail(`${show(raw)} is ${count(text.length)} characters long; "${field.name}" allows at most ${count(limit)} characters`);
    }
    case 'summary':
      return ok(toSummary(asText(raw)));
    case 'number':
      return toNumber(raw, field, fail);
    case 'date':
    case 'datetime': {
      const what = field.kind === 'date' ? 'date' : 'date and time';
      if (typeof raw !== 'string' && !(raw instanceof Date)) {
        return fail(`${show(raw)} is not a valid ${what} for "${field.name}": expected a date like 2026-11-20`);
      }
      const result = field.kind === 'date' ? toJiraDate(raw) : toJiraDateTime(raw);
      return result.ok ? ok(result.value) : fail(`${show(raw)} is not a valid ${what} for "${field.name}": ${result.reason}`);
    }
    case 'select': {
      const text = singleText(raw);
      if (text === undefined) return fail(`${show(raw)} is not a single value, but "${field.name}" takes exactly one`);
      if (!options) return ok({ value: text.trim() });
      const option = findOption(options, text);
      if (option) return ok({ id: option.value });
      return fail(`${show(raw)} is not one of the allowed values for "${field.name}" (${allowedList(options)})`);
    }
    case 'multiselect':
      return toMulti(raw, field, options, ctx, fail);
    case 'labels':
      return toLabels(raw, field, ctx, fail);
    case 'cascade':
      return toCascade(raw, field, options, fail);
    case 'unsupported':
      // The mapping author chose this value for a field type we do not model.
      return ok(raw);
  }
}

type Fail = (message: string) => ConvertResult;

function ok(value: unknown): ConvertResult {
  return { ok: true, value };
}

function where(ctx: ConvertContext): string {
  return ctx.column === undefined ? '' : `column "${ctx.column}": `;
}

function count(n: number): string {
  return n.toLocaleString('en-US'); // explicit locale: messages must not vary by machine
}

/** The value as an operator would recognise it in the submission, shortened for long text. */
function show(raw: unknown): string {
  let text: string;
  if (typeof raw === 'string') return JSON.stringify(preview(raw));
  if (raw instanceof Date) text = Number.isNaN(raw.getTime()) ? 'Invalid Date' : raw.toISOString();
  else if (typeof raw === 'bigint' || typeof raw === 'number' || typeof raw === 'boolean') text = String(raw);
  else {
    try {
      text = JSON.stringify(raw) ?? String(raw);
    } catch {
      text = String(raw); // circular or bigint inside: still say something useful
    }
  }
  return preview(text);
}

function preview(text: string): string {
  const points = Array.from(text);
  return points.length <= PREVIEW_LIMIT ? text : points.slice(0, PREVIEW_LIMIT - 1).join('') + ELLIPSIS;
}

/** Text of any adapter value: json/jsonb objects become JSON, arrays a comma list. */
function asText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? 'Invalid Date' : raw.toISOString();
  if (Array.isArray(raw)) return raw.filter((v) => !isEmptyValue(v)).map(asText).join(', ');
  if (typeof raw === 'object' && raw !== null) return JSON.stringify(raw);
  return String(raw);
}

// Decimal notation only: Number() alone would also accept "0x1F", "0b1" and "".
const DECIMAL_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

function toNumber(raw: unknown, field: MappedField, fail: Fail): ConvertResult {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'bigint') n = Number(raw);
  else if (typeof raw === 'string' && DECIMAL_RE.test(raw.trim())) n = Number(raw.trim());
  else return fail(`${show(raw)} is not a number for "${field.name}" (expected digits such as 12, -3 or 10.50)`);
  if (!Number.isFinite(n)) return fail(`${show(raw)} is not a finite number for "${field.name}"`);
  return ok(n === 0 ? 0 : n); // -0 would be sent as 0 anyway; keep results comparable
}

/** One scalar as text; a one-element list counts as that element. */
function singleText(raw: unknown): string | undefined {
  if (Array.isArray(raw)) {
    const present = raw.filter((v) => !isEmptyValue(v));
    return present.length === 1 ? singleText(present[0]) : undefined;
  }
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'bigint' || typeof raw === 'boolean') return String(raw);
  return undefined;
}

/**
 * Parts of a multi-value source: a string is split on the delimiter; a list (Postgres
 * array) already holds one value per element and is not split again.
 */
function parts(raw: unknown, delimiter: string): string[] | undefined {
  let pieces: string[];
  if (Array.isArray(raw)) {
    const texts = raw.filter((v) => !isEmptyValue(v)).map(singleText);
    if (texts.some((t) => t === undefined)) return undefined;
    pieces = texts as string[];
  } else if (typeof raw === 'string') {
    pieces = raw.split(delimiter === '' ? DEFAULT_DELIMITER : delimiter);
  } else {
    const text = singleText(raw);
    if (text === undefined) return undefined;
    pieces = [text];
  }
  return pieces.map((p) => p.trim()).filter((p) => p !== '');
}

function quoteList(items: readonly string[]): string {
  return items.map((i) => JSON.stringify(preview(i))).join(', ');
}

function toMulti(raw: unknown, field: MappedField, options: ValidValue[] | undefined, ctx: ConvertContext, fail: Fail): ConvertResult {
  // A single option whose label contains the delimiter ("Phone; mobile") is taken whole.
  const whole = options && typeof raw === 'string' ? findOption(options, raw) : undefined;
  const list = whole ? [raw as string] : parts(raw, ctx.delimiter);
  if (list === undefined) return fail(`${show(raw)} cannot be read as a list of values for "${field.name}"`);
  if (list.length === 0) return ok(undefined); // e.g. ";;": nothing was chosen
  if (!options) return ok(unique(list).map((value) => ({ value })));

  const ids: string[] = [];
  const unknown: string[] = [];
  for (const part of list) {
    const option = findOption(options, part);
    if (option) ids.push(option.value);
    else unknown.push(part);
  }
  if (unknown.length > 0) {
    const context = typeof raw === 'string' && raw.trim() !== unknown[0] ? ` (in ${show(raw)})` : '';
    const verb = unknown.length === 1 ? 'is not one of' : 'are not among';
    return fail(`${quoteList(unique(unknown))}${context} ${verb} the allowed values for "${field.name}" (${allowedList(options)})`);
  }
  return ok(unique(ids).map((id) => ({ id })));
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function toLabels(raw: unknown, field: MappedField, ctx: ConvertContext, fail: Fail): ConvertResult {
  const list = parts(raw, ctx.delimiter);
  if (list === undefined) return fail(`${show(raw)} cannot be read as a list of labels for "${field.name}"`);
  // Jira labels cannot contain spaces; "high priority" becomes "high-priority".
  const labels = unique(list.map((p) => p.replace(/\s+/gu, '-')));
  if (labels.length === 0) return ok(undefined);
  const tooLong = labels.filter((l) => l.length > LABEL_LIMIT);
  if (tooLong.length > 0) {
    const detail = tooLong.map((l) => `${JSON.stringify(preview(l))} (${count(l.length)} characters)`).join(', ');
    return fail(`${tooLong.length === 1 ? 'label' : 'labels'} ${detail} for "${field.name}" ${tooLong.length === 1 ? 'is' : 'are'} longer than Jira's limit of ${LABEL_LIMIT} characters per label`);
  }
  return ok(labels);
}

function toCascade(raw: unknown, field: MappedField, options: ValidValue[] | undefined, fail: Fail): ConvertResult {
  // A Postgres array may carry [parent] or [parent, child] already separated.
  const pair = Array.isArray(raw) ? raw.filter((v) => !isEmptyValue(v)).map(singleText) : undefined;
  const text = pair ? undefined : singleText(raw);
  if ((pair && (pair.length > 2 || pair.some((p) => p === undefined))) || (!pair && text === undefined)) {
    return fail(`${show(raw)} cannot be read as "Parent > Child" for "${field.name}"`);
  }
  if (!options) {
    const [parent, child] = pair ? [pair[0]!.trim(), pair[1]?.trim()] : splitCascade(text!);
    return ok(child === undefined ? { value: parent } : { value: parent, child: { value: child } });
  }
  const match: CascadeMatch = pair ? matchCascadeParts(options, pair[0]!, pair[1]) : matchCascade(options, text!);
  if (match.ok) {
    // Jira matches cascade options by label, so send its own spelling of them.
    const value: Record<string, unknown> = { value: match.parent.label };
    if (match.child) value.child = { value: match.child.label };
    return ok(value);
  }
  if (match.parent) {
    const children = match.parent.children ?? [];
    const allowed = children.length > 0 ? ` (${allowedList(children)})` : ' (it has no sub-options)';
    return fail(`${show(raw)}: ${JSON.stringify(preview(match.childText ?? ''))} is not one of the allowed values under "${match.parent.label}" for "${field.name}"${allowed}`);
  }
  return fail(`${show(raw)} is not one of the allowed values for "${field.name}" (${allowedList(options)}); write a choice as "Parent > Child"`);
}
