export { startFakeJira } from './server.js';
export { defaultRequestTypeFields, DEFAULT_REQUEST_TYPE_ID, EQUIPMENT_OPTIONS } from './defaults.js';
export {
  BUG_ISSUE_TYPE_ID,
  DEFAULT_ISSUE_PROJECT_KEY,
  DEPARTMENT_OPTIONS,
  defaultIssueTypes,
  defaultTaskFields,
  ISSUE_EQUIPMENT_OPTIONS,
  ISSUE_PROJECT_ID,
  PRIORITIES,
  SUBTASK_ISSUE_TYPE_ID,
  TASK_ISSUE_TYPE_ID,
} from './issueDefaults.js';
export type {
  Fault,
  FakeAttachment,
  FakeComment,
  FakeCustomer,
  FakeIssue,
  FakeIssueType,
  FakeJira,
  FakeJiraAuth,
  FakeJiraOptions,
  FakeJiraSchema,
  FakeRequestTypeField,
  FakeScreenField,
  FakeValidValue,
  MultipartSummary,
  RecordedRequest,
  TemporaryFile,
} from './types.js';
