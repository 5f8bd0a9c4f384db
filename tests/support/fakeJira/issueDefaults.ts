/**
 * The plain (Jira Software / Work Management) project the issue API serves by
 * default. Its Task screen is deliberately longer than one createmeta page
 * (50 fields) and puts a required field on the second page, because a client
 * that reads only the first page would then miss a field Jira insists on.
 */
import type { FakeIssueType, FakeScreenField } from './types.js';

const CF = 'com.atlassian.jira.plugin.system.customfieldtypes:';

export const DEFAULT_ISSUE_PROJECT_KEY = 'ITS';
export const ISSUE_PROJECT_ID = '10001';
export const TASK_ISSUE_TYPE_ID = '10002';
export const BUG_ISSUE_TYPE_ID = '10004';
export const SUBTASK_ISSUE_TYPE_ID = '10003';
/** Optional fields that nobody fills, standing between the useful ones and the late required one. */
export const FILLER_FIELD_COUNT = 37;

export const PRIORITIES = [
  { id: '1', name: 'Highest' },
  { id: '2', name: 'High' },
  { id: '3', name: 'Medium' },
  { id: '4', name: 'Low' },
  { id: '5', name: 'Lowest' },
] as const;
export const DEFAULT_PRIORITY_ID = '3';

export const DEPARTMENT_OPTIONS = [
  { id: '10200', value: 'Finance' },
  { id: '10201', value: 'HR' },
  { id: '10202', value: 'IT' },
  { id: '10203', value: 'Sales' },
];

export const ISSUE_EQUIPMENT_OPTIONS = [
  { id: '10210', value: 'Mobile phone' },
  { id: '10211', value: 'Headset' },
  { id: '10212', value: 'Desk phone' },
];

/** Fields every create screen carries and that Jira fills from the call's context. */
function contextFields(): FakeScreenField[] {
  return [
    { fieldId: 'summary', name: 'Summary', required: true, schema: { type: 'string', system: 'summary' } },
    { fieldId: 'issuetype', name: 'Issue Type', required: true, schema: { type: 'issuetype', system: 'issuetype' } },
    { fieldId: 'project', name: 'Project', required: true, schema: { type: 'project', system: 'project' } },
    { fieldId: 'reporter', name: 'Reporter', required: true, hasDefaultValue: true, schema: { type: 'user', system: 'reporter' } },
  ];
}

const description = (): FakeScreenField => ({
  fieldId: 'description',
  name: 'Description',
  required: false,
  schema: { type: 'string', system: 'description' },
});
const priority = (): FakeScreenField => ({
  fieldId: 'priority',
  name: 'Priority',
  required: false,
  hasDefaultValue: true,
  schema: { type: 'priority', system: 'priority' },
  allowedValues: PRIORITIES.map((p) => ({ ...p })),
});
const labels = (): FakeScreenField => ({
  fieldId: 'labels',
  name: 'Labels',
  required: false,
  schema: { type: 'array', items: 'string', system: 'labels' },
});

function custom(id: number, name: string, type: string, custom: string, extra: Partial<FakeScreenField> = {}): FakeScreenField {
  const items = type === 'array' ? { items: 'option' } : {};
  return { fieldId: `customfield_${id}`, name, required: false, schema: { type, ...items, custom: `${CF}${custom}`, customId: id }, ...extra };
}

export function defaultTaskFields(): FakeScreenField[] {
  const filler = Array.from({ length: FILLER_FIELD_COUNT }, (_, i) => custom(10100 + i, `Legacy field ${i + 1}`, 'string', 'textfield'));
  return [
    ...contextFields(),
    description(),
    priority(),
    labels(),
    { fieldId: 'duedate', name: 'Due date', required: false, schema: { type: 'date', system: 'duedate' } },
    custom(10020, 'Department', 'option', 'select', { allowedValues: DEPARTMENT_OPTIONS.map((o) => ({ ...o })) }),
    custom(10021, 'Equipment', 'array', 'multicheckboxes', { allowedValues: ISSUE_EQUIPMENT_OPTIONS.map((o) => ({ ...o })) }),
    custom(10022, 'Needed by', 'date', 'datepicker'),
    custom(10023, 'Quantity', 'number', 'float'),
    custom(10024, 'Details', 'string', 'textarea'),
    ...filler,
    // Field 51 of 52: the first on the second page at the default page size.
    custom(10025, 'Email address', 'string', 'textfield', { required: true }),
    custom(10026, 'Contact phone', 'string', 'textfield'),
  ];
}

export function defaultIssueTypes(): FakeIssueType[] {
  return [
    { id: TASK_ISSUE_TYPE_ID, name: 'Task', description: 'A small, distinct piece of work.', fields: defaultTaskFields() },
    { id: SUBTASK_ISSUE_TYPE_ID, name: 'Subtask', description: 'A small piece of work that is part of a larger task.', subtask: true, fields: [
      ...contextFields(),
      { fieldId: 'parent', name: 'Parent', required: true, schema: { type: 'issuelink', system: 'parent' } },
    ] },
    { id: BUG_ISSUE_TYPE_ID, name: 'Bug', description: 'A problem or error.', fields: [...contextFields(), description(), priority(), labels()] },
  ];
}
