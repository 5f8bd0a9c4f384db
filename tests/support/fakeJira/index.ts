export { startFakeJira } from './server.js';
export { defaultRequestTypeFields, DEFAULT_REQUEST_TYPE_ID, EQUIPMENT_OPTIONS } from './defaults.js';
export type {
  Fault,
  FakeAttachment,
  FakeComment,
  FakeCustomer,
  FakeIssue,
  FakeJira,
  FakeJiraAuth,
  FakeJiraOptions,
  FakeJiraSchema,
  FakeRequestTypeField,
  FakeValidValue,
  MultipartSummary,
  RecordedRequest,
  TemporaryFile,
} from './types.js';
