/**
 * Checks the `fields` of POST /rest/api/{2|3}/issue against a create screen the way Jira does:
 * every problem at once, in `errors` keyed by field id. The v3 API takes the description and
 * paragraph (textarea) fields only as Atlassian Document Format; v2 only as plain text. Messages
 * are Jira's where known (unknown field, required summary, ADF, options, dates); the others are
 * modelled on them, so callers should rely on the field id, not the wording.
 */
import type { FakeState } from './state.js';
import type { FakeScreenField } from './types.js';

const TEXTAREA = 'com.atlassian.jira.plugin.system.customfieldtypes:textarea';
const SUMMARY_MAX = 255;
const TEXTFIELD_MAX = 255;
const TEXT_MAX = 32767;
const LABEL_MAX = 255;
const NOT_ADF = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
/** Filled from the call's context (project, issue type) or by Jira itself. */
const CONTEXT_FIELDS = new Set(['project', 'issuetype']);

export const isDocumentField = (f: FakeScreenField) => f.schema.system === 'description' || f.schema.custom === TEXTAREA;

export function validateIssueFields(
  screen: FakeScreenField[],
  given: Record<string, unknown>,
  apiVersion: '2' | '3',
  state: FakeState,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const id of Object.keys(given)) {
    if (!screen.some((f) => f.fieldId === id)) errors[id] = `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`;
  }
  for (const field of screen) {
    if (CONTEXT_FIELDS.has(field.fieldId)) continue;
    const value = given[field.fieldId];
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0)) {
      if (field.required && !field.hasDefaultValue) {
        errors[field.fieldId] = field.fieldId === 'summary' ? 'You must specify a summary of the issue.' : `${field.name} is required.`;
      }
      continue;
    }
    const problem = checkValue(field, value, apiVersion, state);
    if (problem) errors[field.fieldId] = problem;
  }
  return errors;
}

function checkValue(field: FakeScreenField, value: unknown, apiVersion: '2' | '3', state: FakeState): string | null {
  const { type, items, system } = field.schema;
  if (system === 'summary') return checkSummary(value);
  if (system === 'labels') return checkLabels(value);
  if (system === 'priority') return checkPriority(value, field);
  if (system === 'reporter') return checkUser(value, apiVersion, state);
  if (system === 'parent') return checkParent(value, state);
  if (isDocumentField(field)) return apiVersion === '3' ? checkDocument(value) : checkText(value, TEXT_MAX);
  switch (type) {
    case 'string':
      return checkText(value, TEXTFIELD_MAX);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : `Operation value must be a number`;
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && isRealDate(value) ? null : `Error parsing date string: ${String(value)}`;
    case 'option':
      return checkOption(value, field);
    case 'array':
      if (!Array.isArray(value)) return 'data was not an array';
      if (items === 'option') return value.map((v) => checkOption(v, field)).find((p) => p !== null) ?? null;
      return null;
    default:
      return null;
  }
}

function checkSummary(value: unknown): string | null {
  if (typeof value !== 'string') return 'Operation value must be a string';
  if (value.length > SUMMARY_MAX) return `Summary must be less than ${SUMMARY_MAX} characters.`;
  if (/[\r\n]/.test(value)) return 'The summary is invalid because it contains newline characters.';
  return null;
}

function checkText(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return 'Operation value must be a string';
  return value.length > max ? `The entered text is too long. It exceeds the allowed limit of ${max} characters.` : null;
}

function checkLabels(value: unknown): string | null {
  if (!Array.isArray(value)) return 'data was not an array';
  for (const label of value) {
    if (typeof label !== 'string' || label === '') return 'Labels must be non-empty strings.';
    if (/\s/.test(label)) return `The label '${label}' contains spaces which is invalid.`;
    if (label.length > LABEL_MAX) return `The label '${label}' exceeds the maximum length for a single label of ${LABEL_MAX} characters.`;
  }
  return null;
}

const asRef = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

function checkOption(value: unknown, field: FakeScreenField): string | null {
  const ref = asRef(value);
  const allowed = field.allowedValues ?? [];
  if (ref?.id !== undefined) return allowed.some((v) => v.id === String(ref.id)) ? null : `Option id '${String(ref.id)}' is not valid`;
  if (ref?.value !== undefined) return allowed.some((v) => v.value === ref.value) ? null : `Option value '${String(ref.value)}' is not valid`;
  return "Could not find valid 'id' or 'value' in the Parent Option object.";
}

function checkPriority(value: unknown, field: FakeScreenField): string | null {
  const ref = asRef(value);
  const allowed = field.allowedValues ?? [];
  if (ref?.id !== undefined) return allowed.some((v) => v.id === String(ref.id)) ? null : `Specify a valid priority id; '${String(ref.id)}' is not one.`;
  if (ref?.name !== undefined) return allowed.some((v) => v.name === ref.name) ? null : `Specify a valid priority name; '${String(ref.name)}' is not one.`;
  return 'Specify the Priority (id or name) in the string format';
}

/** Cloud (v3) names users by accountId; Data Center (v2) by name. The fake's users have emails for names. */
function checkUser(value: unknown, apiVersion: '2' | '3', state: FakeState): string | null {
  const ref = asRef(value);
  const id = apiVersion === '3' ? ref?.accountId : (ref?.name ?? ref?.accountId);
  return typeof id === 'string' && state.findUser(id) ? null : 'The reporter specified is not a user.';
}

function checkParent(value: unknown, state: FakeState): string | null {
  const ref = asRef(value);
  const idOrKey = ref?.key ?? ref?.id;
  return typeof idOrKey === 'string' && state.findIssue(idOrKey) ? null : 'Could not find issue by id or key.';
}

/**
 * A document is `{type: "doc", version: 1, content: [...]}`; Jira rejects a malformed one with
 * INVALID_INPUT, including a text node with empty text (what a naive line split gives for blank lines).
 */
function checkDocument(value: unknown): string | null {
  const doc = asRef(value);
  if (!doc) return NOT_ADF;
  if (doc.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content)) return 'INVALID_INPUT';
  return (doc.content as unknown[]).every(validNode) ? null : 'INVALID_INPUT';
}

function validNode(node: unknown): boolean {
  const n = asRef(node);
  if (!n || typeof n.type !== 'string') return false;
  if (n.type === 'text') return typeof n.text === 'string' && n.text !== '';
  if (n.content === undefined) return true;
  return Array.isArray(n.content) && n.content.every(validNode);
}

/** The plain text of a document: text nodes joined, one line per block, hard breaks as line breaks. */
export function documentText(value: unknown): string {
  const n = asRef(value);
  if (!n) return '';
  if (n.type === 'text') return typeof n.text === 'string' ? n.text : '';
  if (n.type === 'hardBreak') return '\n';
  const children = Array.isArray(n.content) ? n.content.map(documentText) : [];
  return n.type === 'doc' || n.type === 'bulletList' || n.type === 'orderedList' ? children.join('\n') : children.join('');
}

function isRealDate(ymd: string): boolean {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}
