import type { IncomingHttpHeaders } from 'node:http';
import type { IssueVersion, TransitionOptions, WorkflowOptions } from './workflow.js';

/** Jira's JsonTypeBean, as shown in a request type's `jiraSchema`. */
export interface FakeJiraSchema {
  type: string;
  items?: string;
  system?: string;
  custom?: string;
  customId?: number;
}

export interface FakeValidValue {
  value: string;
  label: string;
  children?: { value: string; label: string }[];
}

export interface FakeRequestTypeField {
  fieldId: string;
  name: string;
  required: boolean;
  jiraSchema: FakeJiraSchema;
  validValues?: FakeValidValue[];
  visible?: boolean;
  description?: string;
}

/** A field on an issue type's create screen (GET /issue/createmeta/{project}/issuetypes/{id}). */
export interface FakeScreenField {
  fieldId: string;
  name: string;
  required: boolean;
  schema: FakeJiraSchema;
  /** Options (`value`), priorities or components (`name`); `id` is what a create call may send. */
  allowedValues?: { id: string; value?: string; name?: string }[];
  /** Jira fills the field itself when it is left out (reporter, priority). */
  hasDefaultValue?: boolean;
}

export interface FakeIssueType {
  id: string;
  name: string;
  description?: string;
  subtask?: boolean;
  /** In screen order; createmeta pages through them. */
  fields: FakeScreenField[];
}

export type FakeJiraAuth = { email: string; apiToken: string } | { pat: string } | null;

export interface FakeJiraOptions {
  serviceDeskId?: string;
  projectKey?: string;
  /** Further desks the account can see: listed by GET /servicedesk (paged), nothing more. */
  otherServiceDesks?: { id: string; projectKey: string; projectName: string }[];
  requestTypes?: Record<string, FakeRequestTypeField[]>;
  /** The plain (non-service-desk) project served by the issue API. */
  issueProjectKey?: string;
  issueTypes?: FakeIssueType[];
  auth?: FakeJiraAuth;
  latencyMs?: number;
  rateLimitPerSecond?: number;
  searchLagMs?: number;
  /** IANA zone of the account the credentials belong to (default Etc/UTC); see timeZone.ts. */
  accountTimeZone?: string;
  workflow?: WorkflowOptions;
  now?: () => number;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  content: Buffer;
  public: boolean;
  mimeType: string;
  createdAt: number;
}

export interface FakeComment {
  id: string;
  body: string;
  public: boolean;
}

export interface FakeIssue {
  id: string;
  key: string;
  projectKey: string;
  /** Empty for issues created through the issue API (POST /rest/api/{2|3}/issue): they are no requests. */
  requestTypeId: string;
  serviceDeskId: string;
  /** Set for issues created through the issue API. */
  issueTypeId?: string;
  /** requestFieldValues (or the issue API's `fields`) exactly as received. */
  fields: Record<string, unknown>;
  labels: string[];
  /** Plain text (an Atlassian document sent to API v3 is stored as its text, for JQL). */
  description?: string;
  summary?: string;
  /** raiseOnBehalfOf as sent (email or accountId). */
  reporter?: string;
  attachments: FakeAttachment[];
  comments: FakeComment[];
  /** Taken from the injectable clock, so search lag can be tested without sleeping. */
  createdAt: number;
}

export interface FakeCustomer {
  accountId: string;
  emailAddress: string;
  displayName: string;
}

export interface TemporaryFile {
  fileName: string;
  content: Buffer;
  serviceDeskId: string;
  mimeType: string;
}

export interface MultipartSummary {
  multipart: true;
  parts: { name: string; fileName?: string; contentType?: string; size: number }[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, a multipart summary, text for other bodies, undefined when empty. */
  body: unknown;
  /** Status sent; 0 when the socket was destroyed without an answer (drop faults). */
  status: number;
  /** Wall-clock ms (Date.now), not the injectable clock: retry/backoff timing is real time. */
  at: number;
  /** Kind of the injected fault that fired on this request, if any. */
  fault?: Fault['kind'];
}

export type Fault = {
  match: { method?: string; path: RegExp | string };
  times?: number;
} & (
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'status-after-effect'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'drop-after-effect' }
  | { kind: 'drop' }
  | { kind: 'delay'; ms: number }
  /** Each matching request is held until `parties` of them have arrived, then all are answered
   *  together: callers that started at nearly the same moment go on at the same moment.
   *  `times` defaults to `parties`. */
  | { kind: 'barrier'; parties: number }
);

export interface FakeJira {
  url: string;
  close(): Promise<void>;
  issues: FakeIssue[];
  requests: RecordedRequest[];
  temporaryFiles: Map<string, TemporaryFile>;
  customers: FakeCustomer[];
  injectFault(f: Fault): void;
  setRequestTypeFields(requestTypeId: string, fields: FakeRequestTypeField[]): void;
  /** Replaces the create screen of one issue type of the plain project (adds the type if new). */
  setIssueTypeFields(issueTypeId: string, fields: FakeScreenField[]): void;
  setAuth(auth: FakeJiraOptions['auth']): void;
  setRateLimit(perSecond: number | undefined): void;
  setLatency(ms: number): void;
  /** Seeds a customer directly (no HTTP), e.g. for raiseOnBehalfOf. */
  addCustomer(emailAddress: string, displayName?: string): FakeCustomer;
  /** Workflow changes, as an agent would make them in Jira (see workflow.ts). Each moves `updated` on. */
  transition(key: string, status: string, opts?: TransitionOptions): IssueVersion;
  resolve(key: string, resolution?: string, status?: string): IssueVersion;
  reopen(key: string, status?: string): IssueVersion;
  /** Deletes the ticket: GET answers 404 at once, search forgets it once the index catches up. */
  deleteIssue(key: string): void;
  setAccountTimeZone(timeZone: string): void;
  setSearchLag(ms: number): void;
  /** Forgets issues, files, customers, requests and faults; restores the initial request and issue types. */
  reset(): void;
}
