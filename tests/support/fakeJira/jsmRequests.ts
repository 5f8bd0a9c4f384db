import { attachmentDto, commentDto, customerRequestDto, paged } from './dto.js';
import { json, jsmErrorReply, pageParams, type Ctx, type Reply } from './http.js';
import { deskNotFound } from './jsmDesk.js';
import { multipartBoundary, parseMultipart } from './multipart.js';
import type { Route } from './router.js';
import type { FakeIssue } from './types.js';
import { jsmError, validateRequestFieldValues } from './validate.js';

const SD = '/rest/servicedeskapi';
const MAX_TEMPORARY_FILES = 60;

const badRequest = (message: string, key: string, params: string[] = []) => jsmErrorReply(400, jsmError(message, key, params));

function issueNotFound(idOrKey: string): Reply {
  return jsmErrorReply(
    404,
    jsmError(`The request ${idOrKey} does not exist or you do not have permission to see it.`, 'sd.request.error.not.found', [idOrKey]),
  );
}

function onIssue(handler: (ctx: Ctx, issue: FakeIssue) => Reply): (ctx: Ctx) => Reply {
  return (ctx) => {
    const idOrKey = ctx.params.issueIdOrKey ?? '';
    const issue = ctx.state.findRequest(idOrKey);
    return issue ? handler(ctx, issue) : issueNotFound(idOrKey);
  };
}

function createRequest(ctx: Ctx): Reply {
  const { state } = ctx;
  const body = (ctx.json ?? {}) as Record<string, unknown>;
  const serviceDeskId = body.serviceDeskId === undefined ? '' : String(body.serviceDeskId);
  if (!serviceDeskId) return badRequest('serviceDeskId is required.', 'sd.request.create.service.desk.required');
  if (!state.isDesk(serviceDeskId)) return deskNotFound(serviceDeskId);
  const requestTypeId = body.requestTypeId === undefined ? '' : String(body.requestTypeId);
  const fields = state.requestTypes.get(requestTypeId);
  if (!fields) {
    return badRequest(
      `The request type '${requestTypeId}' does not exist in service desk ${serviceDeskId}.`,
      'sd.request.create.request.type.invalid',
      [requestTypeId],
    );
  }
  const invalid = validateRequestFieldValues(fields, body.requestFieldValues);
  if (invalid) return jsmErrorReply(400, invalid);

  const raiseOnBehalfOf = body.raiseOnBehalfOf;
  if (raiseOnBehalfOf !== undefined && raiseOnBehalfOf !== null) {
    if (typeof raiseOnBehalfOf !== 'string' || !state.findUser(raiseOnBehalfOf)) {
      return badRequest(
        `The user '${String(raiseOnBehalfOf)}' does not exist or is not a customer of this service desk.`,
        'sd.request.create.raise.on.behalf.of.invalid',
        [String(raiseOnBehalfOf)],
      );
    }
  }

  const values = (body.requestFieldValues ?? {}) as Record<string, unknown>;
  const labels = Array.isArray(values.labels) ? values.labels.filter((l): l is string => typeof l === 'string') : [];
  const issue: FakeIssue = {
    ...state.nextIssueIdentity(),
    requestTypeId,
    serviceDeskId: state.serviceDeskId,
    fields: structuredClone(values),
    labels,
    summary: typeof values.summary === 'string' ? values.summary : undefined,
    description: typeof values.description === 'string' ? values.description : undefined,
    reporter: typeof raiseOnBehalfOf === 'string' ? raiseOnBehalfOf : undefined,
    attachments: [],
    comments: [],
    createdAt: state.now(),
  };
  state.issues.push(issue);
  return json(201, customerRequestDto(issue, state, ctx.baseUrl));
}

function isXsrfExempt(ctx: Ctx): boolean {
  const token = ctx.headers['x-atlassian-token'];
  const value = (Array.isArray(token) ? token[0] : token)?.toLowerCase();
  return value === 'no-check' || value === 'nocheck';
}

function attachTemporaryFile(ctx: Ctx): Reply {
  // Jira's XSRF filter runs before the resource and answers in plain text.
  if (!isXsrfExempt(ctx)) return { status: 403, text: 'XSRF check failed' };
  const serviceDeskId = ctx.params.serviceDeskId ?? '';
  if (!ctx.state.isDesk(serviceDeskId)) return deskNotFound(serviceDeskId);
  const boundary = multipartBoundary(ctx.headers['content-type']);
  if (!boundary) {
    // Jira's REST layer rejects a non-multipart body before the resource is reached.
    return { status: 415, text: 'Unsupported Media Type' };
  }
  const parts = parseMultipart(ctx.rawBody, boundary);
  if (typeof parts === 'string') return badRequest(`Invalid multipart body: ${parts}.`, 'sd.attachment.temporary.invalid');
  const files = parts.filter((p) => p.name === 'file' && p.fileName !== undefined);
  if (files.length === 0) return badRequest('No file was provided in the "file" part.', 'sd.attachment.temporary.no.file');
  if (files.length > MAX_TEMPORARY_FILES) {
    return jsmErrorReply(413, jsmError(`At most ${MAX_TEMPORARY_FILES} files can be uploaded at once.`, 'sd.attachment.temporary.too.many'));
  }
  const temporaryAttachments = files.map((f) => {
    const temporaryAttachmentId = ctx.state.nextTemporaryAttachmentId();
    ctx.state.temporaryFiles.set(temporaryAttachmentId, {
      fileName: f.fileName ?? 'file',
      content: f.content,
      serviceDeskId: ctx.state.serviceDeskId,
      mimeType: f.contentType ?? 'application/octet-stream',
    });
    return { temporaryAttachmentId, fileName: f.fileName ?? 'file' };
  });
  return json(201, { temporaryAttachments });
}

function createAttachments(ctx: Ctx, issue: FakeIssue): Reply {
  const { state } = ctx;
  const body = (ctx.json ?? {}) as { temporaryAttachmentIds?: unknown; public?: unknown; additionalComment?: unknown };
  const ids = body.temporaryAttachmentIds;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id): id is string => typeof id === 'string')) {
    return badRequest('temporaryAttachmentIds must be a non-empty list of temporary attachment ids.', 'sd.attachment.ids.required');
  }
  if (typeof body.public !== 'boolean') return badRequest('The "public" field is required.', 'sd.attachment.public.required');
  // All-or-nothing: a bad id must not consume the good ones.
  const missing = ids.filter((id) => !state.temporaryFiles.has(id));
  if (missing.length > 0) {
    return badRequest(
      `The temporary attachment(s) ${missing.join(', ')} do not exist, have expired or were already used.`,
      'sd.attachment.temporary.invalid',
      missing,
    );
  }
  const createdAt = state.now();
  const added = ids.map((id) => {
    const file = state.temporaryFiles.get(id)!;
    state.temporaryFiles.delete(id);
    const attachment = { id: state.nextAttachmentId(), filename: file.fileName, content: file.content, public: body.public as boolean, mimeType: file.mimeType, createdAt };
    issue.attachments.push(attachment);
    return attachment;
  });
  // Like any edit in Jira, an attachment moves the ticket's `updated` on.
  state.workflow.touch(issue);
  const commentBody = (body.additionalComment as { body?: unknown } | undefined)?.body;
  let comment: ReturnType<typeof commentDto> | undefined;
  if (typeof commentBody === 'string' && commentBody !== '') {
    const c = { id: state.nextCommentId(), body: commentBody, public: body.public };
    issue.comments.push(c);
    comment = commentDto(issue, c, state, ctx.baseUrl);
  }
  const values = added.map((a) => attachmentDto(issue, a, state, ctx.baseUrl));
  const attachments = paged(values, 0, Math.max(values.length, 1), ctx.baseUrl, ctx.path);
  return json(201, comment ? { comment, attachments } : { attachments });
}

function listAttachments(ctx: Ctx, issue: FakeIssue): Reply {
  const { start, limit } = pageParams(ctx.query);
  const values = issue.attachments.map((a) => attachmentDto(issue, a, ctx.state, ctx.baseUrl));
  return json(200, paged(values, start, limit, ctx.baseUrl, ctx.path));
}

function attachmentContent(ctx: Ctx, issue: FakeIssue): Reply {
  const a = issue.attachments.find((x) => x.id === ctx.params.attachmentId);
  if (!a) {
    const id = ctx.params.attachmentId ?? '';
    return jsmErrorReply(404, jsmError(`The attachment ${id} does not exist.`, 'sd.attachment.not.found', [id]));
  }
  return { status: 200, raw: a.content, contentType: a.mimeType };
}

export const requestRoutes: Route[] = [
  { method: 'POST', pattern: `${SD}/request`, handler: createRequest },
  {
    method: 'GET',
    pattern: `${SD}/request/:issueIdOrKey`,
    handler: onIssue((ctx, issue) => json(200, customerRequestDto(issue, ctx.state, ctx.baseUrl))),
  },
  { method: 'POST', pattern: `${SD}/servicedesk/:serviceDeskId/attachTemporaryFile`, handler: attachTemporaryFile },
  { method: 'POST', pattern: `${SD}/request/:issueIdOrKey/attachment`, handler: onIssue(createAttachments) },
  { method: 'GET', pattern: `${SD}/request/:issueIdOrKey/attachment`, handler: onIssue(listAttachments) },
  { method: 'GET', pattern: `${SD}/request/:issueIdOrKey/attachment/:attachmentId`, handler: onIssue(attachmentContent) },
];
