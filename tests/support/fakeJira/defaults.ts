import type { FakeRequestTypeField } from './types.js';

const CF = 'com.atlassian.jira.plugin.system.customfieldtypes:';

export const DEFAULT_REQUEST_TYPE_ID = '10';
export const DEFAULT_REQUEST_TYPE_NAME = 'Request new phone equipment';

export const EQUIPMENT_OPTIONS = [
  { value: '10100', label: 'Mobile phone' },
  { value: '10101', label: 'Handset speaker phone' },
  { value: '10102', label: 'Headset' },
  { value: '10103', label: 'Desk phone' },
] as const;

/** The phone-equipment form the project's mapping is written against. */
export function defaultRequestTypeFields(): FakeRequestTypeField[] {
  return [
    {
      fieldId: 'summary',
      name: 'Summary',
      required: true,
      jiraSchema: { type: 'string', system: 'summary' },
    },
    {
      fieldId: 'description',
      name: 'Description',
      required: false,
      jiraSchema: { type: 'string', system: 'description' },
    },
    textField('customfield_10010', 'Email address', true),
    textField('customfield_10011', 'Department name', false),
    textField('customfield_10012', 'New user name', false),
    {
      fieldId: 'customfield_10013',
      name: 'Equipment',
      required: true,
      jiraSchema: { type: 'array', items: 'option', custom: `${CF}multicheckboxes`, customId: 10013 },
      validValues: EQUIPMENT_OPTIONS.map((o) => ({ ...o, children: [] })),
    },
    {
      fieldId: 'customfield_10014',
      name: 'Needed by',
      required: false,
      jiraSchema: { type: 'date', custom: `${CF}datepicker`, customId: 10014 },
    },
    {
      fieldId: 'customfield_10015',
      name: 'Quantity',
      required: false,
      jiraSchema: { type: 'number', custom: `${CF}float`, customId: 10015 },
    },
    {
      fieldId: 'labels',
      name: 'Labels',
      required: false,
      jiraSchema: { type: 'array', items: 'string', system: 'labels' },
    },
  ];
}

function textField(fieldId: string, name: string, required: boolean): FakeRequestTypeField {
  const customId = Number(fieldId.replace('customfield_', ''));
  return { fieldId, name, required, jiraSchema: { type: 'string', custom: `${CF}textfield`, customId } };
}

export function requestTypeName(requestTypeId: string): string {
  return requestTypeId === DEFAULT_REQUEST_TYPE_ID ? DEFAULT_REQUEST_TYPE_NAME : `Request type ${requestTypeId}`;
}
