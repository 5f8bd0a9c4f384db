import { resolveOption } from './validate.js';
import type { FakeUser, FakeState } from './state.js';
import type { FakeAttachment, FakeComment, FakeIssue } from './types.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Jira's own timestamp format: ISO 8601 with milliseconds and a +hhmm offset (always UTC here). */
export function jiraDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`;
}

/** JSM DateDTO. */
export function dateDto(ms: number) {
  const jira = jiraDateTime(ms);
  return { epochMillis: ms, friendly: new Date(ms).toUTCString(), iso8601: jira.replace(/\.\d{3}/, ''), jira };
}

function avatarUrls() {
  const base = 'https://avatar-management--avatars.example.invalid/initials/FJ-1.png';
  return { '48x48': `${base}?size=48`, '24x24': `${base}?size=24`, '16x16': `${base}?size=16`, '32x32': `${base}?size=32` };
}

/** JSM UserDTO. */
export function jsmUser(user: FakeUser, baseUrl: string) {
  const self = `${baseUrl}/rest/api/2/user?accountId=${encodeURIComponent(user.accountId)}`;
  return {
    accountId: user.accountId,
    emailAddress: user.emailAddress,
    displayName: user.displayName,
    active: true,
    timeZone: 'Etc/UTC',
    _links: { jiraRest: self, avatarUrls: avatarUrls(), self },
  };
}

/** Platform User bean (/rest/api/3/myself, /user/search). */
export function platformUser(user: FakeUser, baseUrl: string) {
  return {
    self: `${baseUrl}/rest/api/3/user?accountId=${encodeURIComponent(user.accountId)}`,
    accountId: user.accountId,
    accountType: user.accountType,
    emailAddress: user.emailAddress,
    avatarUrls: avatarUrls(),
    displayName: user.displayName,
    active: true,
    timeZone: 'Etc/UTC',
    locale: 'en_US',
  };
}

export function reporterOf(issue: FakeIssue, state: FakeState): FakeUser {
  return (issue.reporter ? state.findUser(issue.reporter) : undefined) ?? state.agent;
}

/** JSM CustomerRequestDTO. Option values come back as Jira renders them ({id, value, self}), not as sent. */
export function customerRequestDto(issue: FakeIssue, state: FakeState, baseUrl: string) {
  const fields = state.requestTypes.get(issue.requestTypeId) ?? [];
  const requestFieldValues = fields
    .filter((f) => f.visible !== false && issue.fields[f.fieldId] !== undefined)
    .map((f) => {
      const raw = issue.fields[f.fieldId];
      const render = (v: unknown) => {
        const o = resolveOption(v, f.validValues ?? []);
        return typeof o === 'string' ? v : { self: `${baseUrl}/rest/api/2/customFieldOption/${o.value}`, value: o.label, id: o.value };
      };
      const isOption = f.jiraSchema.type === 'option' || f.jiraSchema.items === 'option';
      const value = !isOption ? raw : Array.isArray(raw) ? raw.map(render) : render(raw);
      return { fieldId: f.fieldId, label: f.name, value };
    });
  return {
    _expands: ['participant', 'status', 'sla', 'requestType', 'serviceDesk', 'attachment', 'action', 'comment'],
    issueId: issue.id,
    issueKey: issue.key,
    summary: issue.summary ?? '',
    requestTypeId: issue.requestTypeId,
    serviceDeskId: issue.serviceDeskId,
    createdDate: dateDto(issue.createdAt),
    reporter: jsmUser(reporterOf(issue, state), baseUrl),
    requestFieldValues,
    currentStatus: currentStatus(issue, state),
    _links: {
      jiraRest: `${baseUrl}/rest/api/2/issue/${issue.id}`,
      web: `${baseUrl}/servicedesk/customer/portal/${issue.serviceDeskId}/${issue.key}`,
      agent: `${baseUrl}/browse/${issue.key}`,
      self: `${baseUrl}/rest/servicedeskapi/request/${issue.id}`,
    },
  };
}

/** JSM CustomerRequestStatusDTO: the live workflow status (not the lagging index), dated from when it was entered. */
function currentStatus(issue: FakeIssue, state: FakeState) {
  const { status, since } = state.workflow.statusSince(issue);
  return { status: status.name, statusCategory: status.category.toUpperCase(), statusDate: dateDto(since) };
}

/** JSM AttachmentDTO. It has no id field: like Jira, the id is only inside the links. */
export function attachmentDto(issue: FakeIssue, a: FakeAttachment, state: FakeState, baseUrl: string) {
  return {
    filename: a.filename,
    author: jsmUser(state.agent, baseUrl),
    created: dateDto(a.createdAt),
    size: a.content.length,
    mimeType: a.mimeType,
    _links: {
      jiraRest: `${baseUrl}/rest/api/2/attachment/${a.id}`,
      content: `${baseUrl}/rest/servicedeskapi/request/${issue.id}/attachment/${a.id}`,
    },
  };
}

export function commentDto(issue: FakeIssue, c: FakeComment, state: FakeState, baseUrl: string) {
  return {
    _expands: ['attachment', 'renderedBody'],
    id: c.id,
    body: c.body,
    public: c.public,
    author: jsmUser(state.agent, baseUrl),
    created: dateDto(state.now()),
    _links: { self: `${baseUrl}/rest/servicedeskapi/request/${issue.id}/comment/${c.id}` },
  };
}

/** JSM PagedDTO envelope. */
export function paged<T>(all: T[], start: number, limit: number, baseUrl: string, path: string) {
  const values = all.slice(start, start + limit);
  const isLastPage = start + values.length >= all.length;
  const links: Record<string, string> = { base: `${baseUrl}/rest/servicedeskapi`, context: '', self: `${baseUrl}${path}?start=${start}&limit=${limit}` };
  if (!isLastPage) links.next = `${baseUrl}${path}?start=${start + limit}&limit=${limit}`;
  if (start > 0) links.prev = `${baseUrl}${path}?start=${Math.max(0, start - limit)}&limit=${limit}`;
  return { _expands: [], size: values.length, start, limit, isLastPage, _links: links, values };
}
