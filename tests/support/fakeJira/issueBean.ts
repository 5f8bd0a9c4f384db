import { platformUser, reporterOf } from './dto.js';
import type { Ctx } from './http.js';
import { jiraDateTimeIn } from './timeZone.js';
import type { FakeIssue } from './types.js';
import { STATUS_CATEGORIES, type IssueVersion } from './workflow.js';

/**
 * The platform issue bean, shared by search (which shows the index's lagging
 * copy of a ticket) and GET /rest/api/{2|3}/issue (which shows the live one),
 * for requests and plain issues alike. Only the fields jira-sync reads, in
 * Jira's shapes; timestamps in the account's time zone.
 */

/** A ticket as one reader sees it: the issue and the workflow version that reader has. */
export type IssueView = IssueVersion & { issue: FakeIssue };

/** Jira's field selection: names, `*all`/`*navigable`, and `-name` to leave one out. */
export function fieldFilter(requested: string[]): (f: string) => boolean {
  const all = requested.includes('*all') || requested.includes('*navigable');
  const excluded = new Set(requested.filter((f) => f.startsWith('-')).map((f) => f.slice(1)));
  return (f) => !excluded.has(f) && (all || requested.includes(f));
}

/** v3 renders description as Atlassian Document Format (a document sent through v3 comes back as sent), v2 as text. */
function descriptionOf(issue: FakeIssue, apiVersion: '2' | '3'): unknown {
  const text = issue.description ?? null;
  if (apiVersion === '2' || text === null) return text;
  const sent = issue.fields.description;
  return typeof sent === 'object' && sent !== null ? sent : { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

export function issueBean(ctx: Ctx, view: IssueView, requested: string[], apiVersion: '2' | '3') {
  const { state, baseUrl } = ctx;
  const { issue } = view;
  const want = fieldFilter(requested);
  const date = (ms: number | null) => (ms === null ? null : jiraDateTimeIn(state.accountTimeZone, ms));
  const api = `${baseUrl}/rest/api/${apiVersion}`;
  // Issues created through the issue API live in the plain project, requests in the service desk's.
  const plain = issue.requestTypeId === '';
  const fields: Record<string, unknown> = {};
  if (want('summary')) fields.summary = issue.summary ?? '';
  if (want('labels')) fields.labels = [...issue.labels];
  if (want('created')) fields.created = date(issue.createdAt);
  if (want('updated')) fields.updated = date(view.updatedAt);
  if (want('resolutiondate')) fields.resolutiondate = date(view.resolvedAt);
  if (want('description')) fields.description = descriptionOf(issue, apiVersion);
  if (want('project')) {
    const p = plain ? state.issueProject : { id: state.projectId, key: state.projectKey, name: state.projectName };
    fields.project = { self: `${api}/project/${p.id}`, id: p.id, key: p.key, name: p.name };
  }
  const issueType = issue.issueTypeId === undefined ? undefined : state.issueTypes.get(issue.issueTypeId);
  if (want('issuetype') && issueType) fields.issuetype = { id: issueType.id, name: issueType.name, subtask: issueType.subtask ?? false };
  if (want('status')) {
    const { status } = view;
    const cat = STATUS_CATEGORIES[status.category];
    fields.status = {
      self: `${api}/status/${status.id}`,
      description: '',
      iconUrl: `${baseUrl}/images/icons/statuses/generic.png`,
      name: status.name,
      id: status.id,
      statusCategory: { self: `${api}/statuscategory/${cat.id}`, ...cat },
    };
  }
  if (want('resolution')) {
    const r = view.resolution;
    fields.resolution = r && { self: `${api}/resolution/${r.id}`, id: r.id, description: r.description, name: r.name };
  }
  if (want('reporter')) fields.reporter = platformUser(reporterOf(issue, state), baseUrl);
  for (const [id, value] of Object.entries(issue.fields)) {
    if (id.startsWith('customfield_') && want(id)) fields[id] = value;
  }
  return { expand: '', id: issue.id, self: `${api}/issue/${issue.id}`, key: issue.key, fields };
}
