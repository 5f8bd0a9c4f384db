/**
 * The issue API of the plain project: POST /rest/api/{2|3}/issue (validated against the issue
 * type's create screen), POST /rest/api/{2|3}/issue/{issueIdOrKey}/attachments (multipart, behind
 * Jira's XSRF check) and GET /rest/api/{2|3}/issue/{issueIdOrKey}. Created issues join the same
 * list as requests, so JQL search, index lag, the workflow and the control API see them alike.
 */
import { platformUser } from './dto.js';
import { json, platformError, type Ctx, type Reply } from './http.js';
import { documentText, validateIssueFields } from './issueValidate.js';
import { multipartBoundary, parseMultipart } from './multipart.js';
import { issueBean } from './issueBean.js';
import { apiVersionOf } from './project.js';
import type { Route } from './router.js';
import { jiraDateTimeIn } from './timeZone.js';
import type { FakeAttachment, FakeIssue, FakeIssueType } from './types.js';

const MAX_FILES = 60;

const fieldErrors = (errors: Record<string, string>): Reply => platformError(400, [], errors);
const issueNotFound = (): Reply => platformError(404, ['Issue does not exist or you do not have permission to see it.']);

const asRef = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

function findIssueType(ctx: Ctx, value: unknown): FakeIssueType | undefined {
  const ref = asRef(value);
  const types = [...ctx.state.issueTypes.values()];
  if (ref?.id !== undefined) return ctx.state.issueTypes.get(String(ref.id));
  return typeof ref?.name === 'string' ? types.find((t) => t.name === ref.name) : undefined;
}

function createIssue(ctx: Ctx): Reply {
  const { state } = ctx;
  const apiVersion = apiVersionOf(ctx);
  const body = asRef(ctx.json);
  if (!body) return platformError(400, ['Can not deserialize the request body: a JSON object with "fields" is expected.']);
  if (asRef(body.update) && Object.keys(body.update as object).length > 0) {
    // Not modelled: the fake would rather fail loudly than accept operations it ignores.
    return platformError(400, ["The fake Jira does not model 'update' operations on create; send values in 'fields'."]);
  }
  const fields = asRef(body.fields) ?? {};
  const projectRef = asRef(fields.project);
  const projectIdOrKey = projectRef?.id ?? projectRef?.key;
  const project = typeof projectIdOrKey === 'string' ? state.findIssueProject(projectIdOrKey) : undefined;
  // Without a project and issue type Jira cannot pick a screen, so it stops here.
  if (!project) return fieldErrors({ project: 'Specify a valid project ID or key' });
  const issueType = findIssueType(ctx, fields.issuetype);
  if (!issueType) return fieldErrors({ issuetype: 'Specify a valid issue type' });
  const errors = validateIssueFields(issueType.fields, fields, apiVersion, state);
  if (Object.keys(errors).length > 0) return fieldErrors(errors);

  const description = fields.description;
  const reporter = asRef(fields.reporter);
  const issue: FakeIssue = {
    ...state.nextIssueIdentity(project.key),
    requestTypeId: '',
    serviceDeskId: '',
    issueTypeId: issueType.id,
    fields: structuredClone(fields),
    labels: Array.isArray(fields.labels) ? fields.labels.filter((l): l is string => typeof l === 'string') : [],
    summary: typeof fields.summary === 'string' ? fields.summary : undefined,
    description: typeof description === 'string' ? description : description ? documentText(description) : undefined,
    reporter: typeof reporter?.accountId === 'string' ? reporter.accountId : typeof reporter?.name === 'string' ? reporter.name : undefined,
    attachments: [],
    comments: [],
    createdAt: state.now(),
  };
  state.issues.push(issue);
  return json(201, { id: issue.id, key: issue.key, self: `${ctx.baseUrl}/rest/api/${apiVersion}/issue/${issue.id}` });
}

function isXsrfExempt(ctx: Ctx): boolean {
  const token = ctx.headers['x-atlassian-token'];
  const value = (Array.isArray(token) ? token[0] : token)?.toLowerCase();
  return value === 'no-check' || value === 'nocheck';
}

/** UserDetails, which (unlike the full User bean) has no locale: the OpenAPI schema forbids extra properties. */
function userDetails(ctx: Ctx) {
  const { locale: _locale, ...details } = platformUser(ctx.state.agent, ctx.baseUrl);
  return details;
}

function attachmentBean(ctx: Ctx, a: FakeAttachment) {
  const base = `${ctx.baseUrl}/rest/api/${apiVersionOf(ctx)}`;
  return {
    self: `${base}/attachment/${a.id}`,
    id: a.id,
    filename: a.filename,
    author: userDetails(ctx),
    created: jiraDateTimeIn(ctx.state.accountTimeZone, a.createdAt),
    size: a.content.length,
    mimeType: a.mimeType,
    content: `${base}/attachment/content/${a.id}`,
  };
}

function addAttachments(ctx: Ctx): Reply {
  // Jira's XSRF filter runs before the resource (even before the issue lookup) and answers in plain text.
  if (!isXsrfExempt(ctx)) return { status: 403, text: 'XSRF check failed' };
  const issue = ctx.state.findIssue(ctx.params.issueIdOrKey ?? '');
  if (!issue) return issueNotFound();
  const boundary = multipartBoundary(ctx.headers['content-type']);
  if (!boundary) return { status: 415, text: 'Unsupported Media Type' };
  const parts = parseMultipart(ctx.rawBody, boundary);
  if (typeof parts === 'string') return platformError(400, [`Invalid multipart body: ${parts}.`]);
  const files = parts.filter((p) => p.name === 'file' && p.fileName !== undefined);
  if (files.length === 0) return platformError(400, ['No file was provided in the "file" part.']);
  if (files.length > MAX_FILES) return platformError(413, [`At most ${MAX_FILES} files can be uploaded at once.`]);
  const createdAt = ctx.state.now();
  const added = files.map((f) => {
    const a: FakeAttachment = {
      id: ctx.state.nextAttachmentId(),
      filename: f.fileName ?? 'file',
      content: f.content,
      public: true,
      mimeType: f.contentType ?? 'application/octet-stream',
      createdAt,
    };
    issue.attachments.push(a);
    return a;
  });
  // Like any edit in Jira, an attachment moves the issue's `updated` on.
  ctx.state.workflow.touch(issue);
  // Jira answers 200 (not 201) with the list of the attachments just added.
  return json(200, added.map((a) => attachmentBean(ctx, a)));
}

function getIssue(ctx: Ctx): Reply {
  const issue = ctx.state.findIssue(ctx.params.issueIdOrKey ?? '');
  if (!issue) return issueNotFound();
  const fields = (ctx.query.get('fields') ?? '*all').split(',').filter(Boolean);
  // GET reads the live ticket (its current workflow version), not the lagging search index.
  const bean = issueBean(ctx, { ...ctx.state.workflow.current(issue), issue }, fields, apiVersionOf(ctx));
  if (fields.includes('*all') || fields.includes('attachment')) {
    (bean.fields as Record<string, unknown>).attachment = issue.attachments.map((a) => attachmentBean(ctx, a));
  }
  return json(200, bean);
}

export const issueRoutes: Route[] = (['2', '3'] as const).flatMap((v): Route[] => [
  { method: 'POST', pattern: `/rest/api/${v}/issue`, handler: createIssue },
  { method: 'GET', pattern: `/rest/api/${v}/issue/:issueIdOrKey`, handler: getIssue },
  { method: 'POST', pattern: `/rest/api/${v}/issue/:issueIdOrKey/attachments`, handler: addAttachments },
]);
