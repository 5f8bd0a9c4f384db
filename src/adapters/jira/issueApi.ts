// Jira's issue API, for a plain project (Jira Software or Work Management) where there is no
// service desk: the project and its issue types, the create screen (create metadata, read page
// by page), the create call and the attachment. Each submission costs two calls here: the
// create and the attachment (one multipart POST, no temporary-file step as in JSM).
//
//   GET  /rest/api/{3|2}/project/{key}                                     the project
//   GET  /rest/api/{3|2}/issue/createmeta/{key}/issuetypes[/{id}]          issue types, fields (paged)
//   POST /rest/api/{3|2}/issue                                              create (never repeated blindly)
//   POST /rest/api/{3|2}/issue/{key}/attachments  (X-Atlassian-Token: no-check)
//   GET  /rest/api/{3|2}/issue/{key}?fields=attachment                     what is attached already
//
// Cloud (API v3) and Data Center (API v2) answer createmeta differently: Cloud lists `fields` or
// `issueTypes` with a total, Data Center lists `values` with `isLast`. Both are read here.

// Types only: jira.js itself is loaded by the gateway, on its first call.
import type { Version2Client, Version3Client } from 'jira.js';
import type { JiraClients } from './customers.js';
import type { RequestTypeField } from './gateway.js';

/** What this module needs from the gateway: the project, and its rate-limited, retrying call. */
export interface IssueClients {
  projectKey: string;
  call<T>(operation: string, fn: (c: JiraClients) => Promise<T>, safeToRepeat?: boolean): Promise<T>;
}

export interface IssueType {
  id: string;
  name: string;
  subtask: boolean;
}

interface MetaField {
  fieldId?: string;
  key?: string;
  name?: string;
  required?: boolean;
  hasDefaultValue?: boolean;
  schema?: RequestTypeField['jiraSchema'];
  allowedValues?: { id?: string | number; value?: string; name?: string; children?: { id?: string | number; value?: string; name?: string }[] }[];
}

type Page<T> = { startAt?: number; total?: number; isLast?: boolean; values?: T[]; fields?: T[]; issueTypes?: T[] };
const PAGE = 50;

// Filled by Jira from the call itself: never asked of the table.
const FROM_CONTEXT = new Set(['project', 'issuetype']);

const platform3 = (c: JiraClients) => c.platform as Version3Client;

/** A createmeta list, read to its end whatever shape the server answers in. */
async function allPages<T>(c: IssueClients, operation: string, page: (clients: JiraClients, startAt: number) => Promise<unknown>): Promise<T[]> {
  const all: T[] = [];
  for (let startAt = 0; ; ) {
    const p = (await c.call(operation, (clients) => page(clients, startAt))) as Page<T>;
    const items = p.fields ?? p.issueTypes ?? p.values ?? [];
    all.push(...items);
    startAt += items.length;
    if (items.length === 0 || p.isLast === true || (p.total !== undefined && startAt >= p.total)) return all;
  }
}

export async function getProject(c: IssueClients): Promise<{ id: string; key: string; name: string }> {
  const p = (await c.call('get project', (cl) => platform3(cl).projects.getProject({ projectIdOrKey: c.projectKey }))) as { id?: string; key?: string; name?: string };
  return { id: String(p.id ?? ''), key: p.key ?? c.projectKey, name: p.name ?? '' };
}

/** Every project the account can see, as {id: key, name}: said when JIRA_PROJECT_KEY is wrong. */
export async function listProjects(c: IssueClients): Promise<{ id: string; name: string }[]> {
  type P = { key?: string; name?: string };
  const projects = (await c.call('list projects', ({ platform, cloud }) =>
    cloud
      ? (platform as Version3Client).projects.searchProjects({ maxResults: 100 }).then((r) => (r as { values?: P[] }).values ?? [])
      : // Data Center has no /project/search before 9.x on every install; /project lists them all.
        (platform as Version2Client).sendRequest<P[]>({ url: '/rest/api/2/project', method: 'GET' }, undefined as never),
  )) as P[];
  return projects.map((p) => ({ id: p.key ?? '?', name: p.name ?? '?' }));
}

/** The issue types the project's create screen offers. */
export async function listIssueTypes(c: IssueClients): Promise<IssueType[]> {
  type T = { id?: string | number; name?: string; subtask?: boolean };
  const types = await allPages<T>(c, 'list issue types', (cl, startAt) =>
    platform3(cl).issues.getCreateIssueMetaIssueTypes({ projectIdOrKey: c.projectKey, startAt, maxResults: PAGE }),
  );
  return types.map((t) => ({ id: String(t.id ?? '?'), name: t.name ?? '?', subtask: t.subtask === true }));
}

/** JIRA_ISSUE_TYPE, a name (any case) or an id, among the project's issue types; undefined when none matches. */
export function findIssueType(types: readonly IssueType[], wanted: string): IssueType | undefined {
  const w = wanted.trim();
  return types.find((t) => t.id === w) ?? types.find((t) => t.name === w) ?? types.find((t) => t.name.toLowerCase() === w.toLowerCase());
}

/**
 * The create screen's fields, every page of them, in the shape map-fields reads for a request
 * type. Project and issue type come from the call itself and are left out, and so is a field
 * Jira fills with its default (the reporter: the account making the call); a required field
 * with a default is not required of the table.
 */
export async function createScreenFields(c: IssueClients, issueTypeId: string): Promise<RequestTypeField[]> {
  const fields = await allPages<MetaField>(c, 'get create screen fields', (cl, startAt) =>
    platform3(cl).issues.getCreateIssueMetaIssueTypeId({ projectIdOrKey: c.projectKey, issueTypeId, startAt, maxResults: PAGE }),
  );
  return fields
    .map((f) => ({ ...f, fieldId: f.fieldId ?? f.key ?? '' }))
    .filter((f) => f.fieldId !== '' && !FROM_CONTEXT.has(f.fieldId) && !(f.fieldId === 'reporter' && f.hasDefaultValue))
    .map((f): RequestTypeField => {
      const out: RequestTypeField = { fieldId: f.fieldId, name: f.name ?? f.fieldId, required: f.required === true && f.hasDefaultValue !== true };
      if (f.schema) out.jiraSchema = f.schema;
      if (f.allowedValues && f.allowedValues.length > 0) out.validValues = f.allowedValues.map(option);
      return out;
    });
}

/** A createmeta allowed value as a cached option: {value: its id, label: what people see}. */
function option(v: NonNullable<MetaField['allowedValues']>[number]): NonNullable<RequestTypeField['validValues']>[number] {
  const out: NonNullable<RequestTypeField['validValues']>[number] = { value: String(v.id ?? ''), label: String(v.value ?? v.name ?? v.id ?? '') };
  if (v.children && v.children.length > 0) out.children = v.children.map((ch) => ({ value: String(ch.id ?? ''), label: String(ch.value ?? ch.name ?? ch.id ?? '') }));
  return out;
}

/** The create call. Not repeated blindly: a lost answer is settled by the marker search. */
export async function createIssue(c: IssueClients, issueTypeId: string, fields: Record<string, unknown>): Promise<{ issueKey: string; issueId: string }> {
  const body = { project: { key: c.projectKey }, issuetype: { id: issueTypeId }, ...fields };
  const res = (await c.call(
    'create issue',
    ({ platform, cloud }) =>
      cloud ? (platform as Version3Client).issues.createIssue({ fields: body } as never) : (platform as Version2Client).issues.createIssue({ fields: body } as never),
    false,
  )) as { id: string | number; key: string };
  return { issueKey: res.key, issueId: String(res.id) };
}

/** One multipart POST. Not repeated blindly: a lost answer is settled by listing the issue's attachments. */
export async function addAttachment(c: IssueClients, issueKey: string, fileName: string, content: Buffer): Promise<void> {
  const attachment = { filename: fileName, file: content, mimeType: 'application/json' };
  await c.call(
    'attach file',
    ({ platform, cloud }) =>
      cloud
        ? (platform as Version3Client).issueAttachments.addAttachment({ issueIdOrKey: issueKey, attachment })
        : (platform as Version2Client).issueAttachments.addAttachment({ issueIdOrKey: issueKey, attachment }),
    false,
  );
}

export async function attachmentNames(c: IssueClients, issueKey: string): Promise<string[]> {
  const issue = (await c.call('list attachments', (cl) => platform3(cl).issues.getIssue({ issueIdOrKey: issueKey, fields: ['attachment'] }))) as {
    fields?: { attachment?: { filename: string }[] };
  };
  return (issue.fields?.attachment ?? []).map((a) => a.filename);
}
