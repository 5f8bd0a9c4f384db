import type { FakeRequestTypeField, FakeValidValue } from './types.js';

/** JSM's ErrorResponse body. */
export interface JsmError {
  errorMessage: string;
  i18nErrorMessage: { i18nKey: string; parameters: string[] };
}

export function jsmError(errorMessage: string, i18nKey: string, parameters: string[] = []): JsmError {
  return { errorMessage, i18nErrorMessage: { i18nKey, parameters } };
}

// The only key confirmed from a real Jira answer is the required-field one; the
// others are modelled on it so that callers can rely on the *shape*, not the text.
const KEY_REQUIRED = 'sd.validation.request.creation.failure.required.field';
const KEY_INVALID = 'sd.validation.request.creation.failure.invalid.field';
const KEY_UNKNOWN = 'sd.validation.request.creation.failure.unknown.field';

const SUMMARY_MAX = 255;
const TEXT_MAX = 32767;
const LABEL_MAX = 255;

/**
 * Checks requestFieldValues against a request type the way JSM does and
 * returns the first problem, or null. Types the fake does not model (user,
 * priority, …) are accepted as-is rather than rejected, so the fake is never
 * stricter than Jira without a reason.
 */
export function validateRequestFieldValues(fields: FakeRequestTypeField[], values: unknown): JsmError | null {
  if (values === undefined) values = {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    return jsmError('requestFieldValues must be a JSON object.', KEY_INVALID, ['requestFieldValues']);
  }
  const given = values as Record<string, unknown>;
  for (const fieldId of Object.keys(given)) {
    if (!fields.some((f) => f.fieldId === fieldId)) {
      return jsmError(
        `Field '${fieldId}' cannot be set. It is not on the appropriate screen, or unknown.`,
        KEY_UNKNOWN,
        [fieldId],
      );
    }
  }
  for (const field of fields) {
    const value = given[field.fieldId];
    if (isEmpty(value)) {
      if (field.required) {
        return jsmError(`${field.name} (${field.fieldId}) is required.`, KEY_REQUIRED, [field.fieldId]);
      }
      continue;
    }
    const problem = checkValue(field, value);
    if (problem) {
      return jsmError(`${field.name} (${field.fieldId}): ${problem}`, KEY_INVALID, [field.fieldId, problem]);
    }
  }
  return null;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

function checkValue(field: FakeRequestTypeField, value: unknown): string | null {
  const { type, items, system } = field.jiraSchema;
  if (system === 'labels') return checkLabels(value);
  switch (type) {
    case 'string':
      return checkText(value, system === 'summary' ? SUMMARY_MAX : TEXT_MAX, system === 'summary');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a JSON number.';
    case 'date':
      return checkDate(value);
    case 'datetime':
      return checkDateTime(value);
    case 'option':
      return checkOption(value, field.validValues);
    case 'option-with-child':
      return checkCascading(value, field.validValues);
    case 'array':
      if (!Array.isArray(value)) return 'must be an array.';
      if (items === 'option') return firstProblem(value, (v) => checkOption(v, field.validValues));
      if (items === 'string') return firstProblem(value, (v) => checkText(v, TEXT_MAX, false));
      return null;
    default:
      return null;
  }
}

function firstProblem(values: unknown[], check: (v: unknown) => string | null): string | null {
  for (const [i, v] of values.entries()) {
    const problem = check(v);
    if (problem) return `item ${i}: ${problem}`;
  }
  return null;
}

function checkText(value: unknown, max: number, singleLine: boolean): string | null {
  if (typeof value !== 'string') return 'must be a string.';
  if (value.length > max) return `must be ${max} characters or fewer (got ${value.length}).`;
  if (singleLine && /[\r\n]/.test(value)) return 'must not contain line breaks.';
  return null;
}

function checkLabels(value: unknown): string | null {
  if (!Array.isArray(value)) return 'labels must be an array of strings.';
  for (const label of value) {
    if (typeof label !== 'string' || label === '') return 'each label must be a non-empty string.';
    if (/\s/.test(label)) return `label '${label}' must not contain spaces.`;
    if (label.length > LABEL_MAX) return `label '${label.slice(0, 20)}…' is longer than ${LABEL_MAX} characters.`;
  }
  return null;
}

function checkDate(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return `'${String(value)}' is not a date in the format YYYY-MM-DD.`;
  return isRealDate(value) ? null : `'${value}' is not a valid date.`;
}

const DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

function checkDateTime(value: unknown): string | null {
  const m = typeof value === 'string' ? DATETIME.exec(value) : null;
  if (!m) return `'${String(value)}' is not an ISO 8601 date-time with offset, e.g. 2026-11-22T10:00:00.000+0000.`;
  const [, date = '', hh, mm, ss] = m;
  const ok = isRealDate(date) && Number(hh) < 24 && Number(mm) < 60 && Number(ss) < 60;
  return ok ? null : `'${String(value)}' is not a valid date-time.`;
}

function isRealDate(ymd: string): boolean {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Finds the valid value an `{id}` or `{value}` reference points at. */
export function resolveOption(
  value: unknown,
  validValues: readonly FakeValidValue[] | readonly { value: string; label: string }[],
): { value: string; label: string } | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object with "id" or "value".';
  }
  const ref = value as Record<string, unknown>;
  if (ref.id !== undefined) {
    const id = typeof ref.id === 'number' ? String(ref.id) : ref.id;
    const found = validValues.find((v) => v.value === id);
    return found ?? `option id '${String(ref.id)}' is not valid; allowed ids: ${validValues.map((v) => v.value).join(', ')}.`;
  }
  if (ref.value !== undefined) {
    const found = validValues.find((v) => v.label === ref.value);
    return found ?? `option '${String(ref.value)}' is not valid; allowed values: ${validValues.map((v) => v.label).join(', ')}.`;
  }
  return 'must be an object with "id" or "value".';
}

function checkOption(value: unknown, validValues: FakeValidValue[] | undefined): string | null {
  if (validValues === undefined) {
    // A field configured without validValues in a test means "any option".
    const isRef = typeof value === 'object' && value !== null && !Array.isArray(value) && ('id' in value || 'value' in value);
    return isRef ? null : 'must be an object with "id" or "value".';
  }
  const r = resolveOption(value, validValues);
  return typeof r === 'string' ? r : null;
}

function checkCascading(value: unknown, validValues: FakeValidValue[] | undefined): string | null {
  if (validValues === undefined) return null;
  const parent = resolveOption(value, validValues);
  if (typeof parent === 'string') return parent;
  const child = (value as Record<string, unknown>).child;
  if (child === undefined || child === null) return null;
  const children = validValues.find((v) => v.value === parent.value)?.children ?? [];
  const r = resolveOption(child, children);
  return typeof r === 'string' ? `child of '${parent.label}': ${r}` : null;
}
