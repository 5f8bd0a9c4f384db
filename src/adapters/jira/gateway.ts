// The only module that speaks HTTP to Jira: through jira.js, and for the per-ticket calls and the
// preflight through directHttp.ts. Every call goes through one shared rate limiter
// and the retry policy (jira.js 5 has neither). The create call is never repeated blindly:
// if its answer is lost, the caller recovers by searching for the ticket's marker.
import http from 'node:http';
import https from 'node:https';
import type { ServiceDeskClient, Version2Client, Version3Client } from 'jira.js';
import type { JiraAuth, JiraTarget } from '../../config.js';
import { failpoint } from '../../failpoints.js';
import { classifyJiraError, JiraCallError, redactJiraError } from './errors.js';
import type { Clock, RateLimiter } from './rateLimiter.js';
import { DirectHttp, multipartFile } from './directHttp.js';
import { withRetry, type RetryBudget, type RetryPolicy } from './retry.js';
import type { CustomerClients } from './customers.js';
import * as issueApi from './issueApi.js';

export interface JiraGatewayOptions {
  baseUrl: string;
  auth: JiraAuth;
  serviceDeskId: string;
  requestTypeId: string;
  /** Issue mode (a plain project): tickets are created through the issue API instead of JSM's. */
  target?: JiraTarget;
  timeoutMs: number;
  attachmentPublic: boolean;
  limiter: RateLimiter;
  policy: RetryPolicy;
  budget: RetryBudget;
  clock: Clock;
  onRetry?: (info: { operation: string; attempt: number; delayMs: number; error: Error }) => void;
  /** Takes the configured secrets out of error texts before any caller stores or shows them. */
  redact?: (s: string) => string;
}

export interface RequestTypeField {
  fieldId: string;
  name: string;
  required: boolean;
  jiraSchema?: { type?: string; items?: string; system?: string; custom?: string; customId?: number };
  validValues?: { value: string; label: string; children?: { value: string; label: string }[] }[];
  visible?: boolean;
}

export interface FoundTicket {
  key: string;
  id: string;
  created: string;
}

/** What a create answer tells of the new request, beyond its key. */
export interface CreatedRequest {
  issueKey: string;
  issueId: string;
  status: string | null;
  /** Jira's category key: new, indeterminate or done. */
  statusCategory: string | null;
  createdAt: string | null;
  portalUrl: string | null;
}

type CreateAnswer = {
  issueKey: string;
  issueId: string | number;
  createdDate?: { epochMillis?: number };
  currentStatus?: { status?: string; statusCategory?: string };
  _links?: { web?: string };
};

function createdRequest(res: CreateAnswer): CreatedRequest {
  const ms = res.createdDate?.epochMillis;
  return {
    issueKey: res.issueKey,
    issueId: String(res.issueId),
    status: res.currentStatus?.status ?? null,
    // JSM spells the category in capitals (NEW, INDETERMINATE, DONE); the platform API's key is lower case.
    statusCategory: res.currentStatus?.statusCategory?.toLowerCase() ?? null,
    createdAt: typeof ms === 'number' ? new Date(ms).toISOString() : null,
    portalUrl: res._links?.web ?? null,
  };
}

type Listed = { id?: string | number; name?: string; projectName?: string; projectKey?: string };
const PAGE = 50;

// Fires fail point 2 once a create request (JSM's or the issue API's) has been handed to the OS, before any answer.
const CREATE_PATHS = new Set(['/rest/servicedeskapi/request', '/rest/api/3/issue', '/rest/api/2/issue']);
const transport = {
  request(options: http.RequestOptions, callback: (res: http.IncomingMessage) => void): http.ClientRequest {
    const lib = options.protocol === 'https:' ? https : http;
    const req = lib.request(options, callback);
    if (options.method === 'POST' && CREATE_PATHS.has(options.path ?? '')) req.on('finish', () => failpoint('after-create-sent'));
    return req;
  },
};

export class JiraGateway {
  private clients: Promise<{ desk: ServiceDeskClient; platform: Version3Client | Version2Client; cloud: boolean }> | null = null;
  /** The per-ticket calls and the preflight, without jira.js (directHttp.ts says why). */
  private readonly direct: DirectHttp;

  constructor(private readonly opts: JiraGatewayOptions) {
    const { auth } = opts;
    const authorization = auth.kind === 'basic' ? `Basic ${Buffer.from(`${auth.email}:${auth.apiToken}`).toString('base64')}` : `Bearer ${auth.pat}`;
    this.direct = new DirectHttp({ baseUrl: opts.baseUrl, authorization, timeoutMs: opts.timeoutMs, transport });
  }

  // jira.js (with axios and zod) takes a large share of start-up time, and a run with nothing
  // new never calls Jira, so the library is loaded on the first call only.
  private connect() {
    this.clients ??= import('jira.js').then(({ ServiceDeskClient, Version2Client, Version3Client }) => {
      const { opts } = this;
      const authentication =
        opts.auth.kind === 'basic'
          ? { basic: { email: opts.auth.email, apiToken: opts.auth.apiToken } }
          : // Data Center personal access tokens are sent as a Bearer token, which jira.js does via oauth2.
            { oauth2: { accessToken: opts.auth.pat } };
      const baseRequestConfig = { timeout: opts.timeoutMs, transport, maxRedirects: 0 };
      const config = { host: opts.baseUrl, authentication, baseRequestConfig } as ConstructorParameters<typeof ServiceDeskClient>[0];
      // Cloud (email + API token) has the enhanced JQL search; Data Center (PAT) has /rest/api/2/search.
      const cloud = opts.auth.kind === 'basic';
      return { desk: new ServiceDeskClient(config), platform: cloud ? new Version3Client(config) : new Version2Client(config), cloud };
    });
    return this.clients;
  }

  private async call<T>(operation: string, fn: (c: Awaited<ReturnType<JiraGateway['connect']>>) => Promise<T>, safeToRepeat = true): Promise<T> {
    const clients = await this.connect();
    return this.send(operation, () => fn(clients), safeToRepeat);
  }

  /** One call through the shared rate limiter and the retry policy; errors classified and redacted. */
  private async send<T>(operation: string, fn: () => Promise<T>, safeToRepeat = true): Promise<T> {
    const { redact } = this.opts;
    try {
      return await withRetry(operation, fn, {
        limiter: this.opts.limiter,
        policy: this.opts.policy,
        budget: this.opts.budget,
        safeToRepeat,
        clock: this.opts.clock,
        onRetry: this.opts.onRetry,
      });
    } catch (err) {
      throw redact && err instanceof JiraCallError ? redactJiraError(err, redact) : err;
    }
  }

  /** For customers.ts (raiseOnBehalfOf): the desk, and this gateway's rate-limited, retrying call. */
  customerClients(): CustomerClients {
    return { serviceDeskId: this.opts.serviceDeskId, call: (operation, fn, safeToRepeat) => this.call(operation, fn, safeToRepeat) };
  }

  /** Issue mode: tickets go to a plain project through Jira's issue API. */
  get issueMode(): boolean {
    return this.opts.target?.kind === 'issue';
  }

  /** For issueApi.ts: the project, and this gateway's rate-limited, retrying call. */
  issueClients(): issueApi.IssueClients {
    const projectKey = this.opts.target?.kind === 'issue' ? this.opts.target.projectKey : '';
    return { projectKey, call: (operation, fn, safeToRepeat) => this.call(operation, fn, safeToRepeat) };
  }

  /** The one create call of a submission: a JSM request, or (issue mode) an issue of `issueTypeId`. */
  async createTicket(values: Record<string, unknown>, opts: { raiseOnBehalfOf?: string; issueTypeId?: string }): Promise<CreatedRequest> {
    if (this.issueMode) {
      // The issue API answers a create with its id and key only: the status and times are left
      // empty, and the write-back pull later in the same run fills them in.
      const created = await issueApi.createIssue(this.issueClients(), opts.issueTypeId ?? '', values);
      return { ...created, status: null, statusCategory: null, createdAt: null, portalUrl: null };
    }
    return this.createRequest(values, opts.raiseOnBehalfOf);
  }

  /** Who we are: proves the credentials without touching the service desk. */
  async whoAmI(): Promise<{ accountId?: string; displayName?: string; emailAddress?: string }> {
    return this.call('myself', ({ platform, cloud }) =>
      cloud ? (platform as Version3Client).myself.getCurrentUser() : (platform as Version2Client).myself.getCurrentUser(),
    ) as Promise<{ accountId?: string; displayName?: string }>;
  }

  async getServiceDesk(): Promise<{ id?: string; projectKey?: string; projectName?: string }> {
    return this.send('get service desk', () => this.direct.getJson(`/rest/servicedeskapi/servicedesk/${encodeURIComponent(this.opts.serviceDeskId)}`)) as Promise<{
      id?: string; projectKey?: string; projectName?: string;
    }>;
  }

  /** Every service desk the account can see, as {id, name}: doctor lists them when JSM_SERVICE_DESK_ID is wrong. */
  async listServiceDesks(): Promise<{ id: string; name: string }[]> {
    const desks = await this.allPages('list service desks', (desk, start) => desk.serviceDesk.getServiceDesks({ start, limit: PAGE }));
    return desks.map((d) => ({ id: String(d.id ?? '?'), name: `${d.projectName ?? '?'} (project ${d.projectKey ?? '?'})` }));
  }

  /** The desk's request types, as {id, name}: doctor lists them when JSM_REQUEST_TYPE_ID is wrong. */
  async listRequestTypes(): Promise<{ id: string; name: string }[]> {
    const types = await this.allPages('list request types', (desk, start) => desk.serviceDesk.getRequestTypes({ serviceDeskId: this.opts.serviceDeskId, start, limit: PAGE }));
    return types.map((t) => ({ id: String(t.id ?? '?'), name: String(t.name ?? '?') }));
  }

  /** JSM's paged lists (start/limit/isLastPage), read to the end. */
  private async allPages(operation: string, page: (desk: ServiceDeskClient, start: number) => Promise<unknown>): Promise<Listed[]> {
    const all: Listed[] = [];
    for (let start = 0; ; ) {
      const p = (await this.call(operation, ({ desk }) => page(desk, start))) as { values?: Listed[]; isLastPage?: boolean; size?: number };
      const values = p.values ?? [];
      all.push(...values);
      if (p.isLastPage !== false || values.length === 0) return all;
      start += values.length;
    }
  }

  async getRequestTypeFields(): Promise<RequestTypeField[]> {
    const meta = (await this.call('get request type fields', ({ desk }) =>
      desk.serviceDesk.getRequestTypeFields({ serviceDeskId: this.opts.serviceDeskId, requestTypeId: Number(this.opts.requestTypeId) }),
    )) as { requestTypeFields?: RequestTypeField[] };
    return meta.requestTypeFields ?? [];
  }

  /** The new request, with what its answer says of it (status, portal link, creation time) for the write-back table. */
  async createRequest(requestFieldValues: Record<string, unknown>, raiseOnBehalfOf?: string): Promise<CreatedRequest> {
    const body = { serviceDeskId: this.opts.serviceDeskId, requestTypeId: this.opts.requestTypeId, requestFieldValues, raiseOnBehalfOf };
    const res = await this.send('create request', () => this.direct.postJson<CreateAnswer>('/rest/servicedeskapi/request', body), false);
    return createdRequest(res);
  }

  /** Tickets carrying the marker, oldest first. Text search can over-match (Jira tokenises on
   *  "-"), so each hit is checked for the exact marker in its labels or description. In issue
   *  mode the search stays in the project (quoted: a key may be a JQL reserved word). */
  async findByMarker(marker: string): Promise<FoundTicket[]> {
    const where = `labels = "${marker}" OR text ~ "${marker}"`;
    const target = this.opts.target;
    const jql = `${target?.kind === 'issue' ? `project = "${target.projectKey}" AND (${where})` : where} ORDER BY created ASC`;
    const fields = ['created', 'labels', 'description'];
    type Issue = { id: string; key: string; fields?: { created?: string; labels?: string[]; description?: unknown } };
    const res = (await this.call('search by marker', ({ platform, cloud }) =>
      cloud
        ? (platform as Version3Client).issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql, fields, maxResults: 50 })
        : (platform as Version2Client).issueSearch.searchForIssuesUsingJqlPost({ jql, fields, maxResults: 50 }),
    )) as { issues?: Issue[] };
    return (res.issues ?? [])
      .filter((i) => (i.fields?.labels ?? []).includes(marker) || JSON.stringify(i.fields?.description ?? '').includes(marker))
      .map((i) => ({ key: i.key, id: String(i.id), created: i.fields?.created ?? '' }))
      .sort((a, b) => a.created.localeCompare(b.created) || Number(a.id) - Number(b.id));
  }

  async attachmentNames(issueKey: string): Promise<string[]> {
    if (this.issueMode) return issueApi.attachmentNames(this.issueClients(), issueKey);
    const names: string[] = [];
    for (let start = 0; ; ) {
      const page = (await this.call('list attachments', ({ desk }) =>
        desk.request.getAttachmentsForRequest({ issueIdOrKey: issueKey, start, limit: 100 }),
      )) as { values?: { filename: string }[]; isLastPage?: boolean; size?: number };
      const values = page.values ?? [];
      names.push(...values.map((v) => v.filename));
      if (page.isLastPage !== false || values.length === 0) return names;
      start += values.length;
    }
  }

  /** Issue mode: the file in one multipart POST to the issue. */
  async addIssueAttachment(issueKey: string, fileName: string, content: Buffer): Promise<void> {
    await issueApi.addAttachment(this.issueClients(), issueKey, fileName, content);
  }

  /** JSM's temporary-file flow: upload to the desk, then attach to the request. */
  async uploadTemporaryFile(fileName: string, content: Buffer): Promise<string> {
    const path = `/rest/servicedeskapi/servicedesk/${encodeURIComponent(this.opts.serviceDeskId)}/attachTemporaryFile`;
    const res = await this.send('upload temporary file', () =>
      this.direct.postMultipart<{ temporaryAttachments?: { temporaryAttachmentId: string }[] }>(path, multipartFile(fileName, 'application/json', content), { 'X-Atlassian-Token': 'no-check' }),
    );
    const id = res.temporaryAttachments?.[0]?.temporaryAttachmentId;
    if (!id) throw classifyJiraError(new Error('Jira accepted the upload but returned no temporary attachment id'), 'upload temporary file', this.opts.clock.now());
    return id;
  }

  /** Not repeated blindly: a lost answer is settled by listing the request's attachments. */
  async attachTemporaryFile(issueKey: string, temporaryAttachmentId: string): Promise<void> {
    const path = `/rest/servicedeskapi/request/${encodeURIComponent(issueKey)}/attachment`;
    await this.send('attach file', () => this.direct.postJson(path, { temporaryAttachmentIds: [temporaryAttachmentId], public: this.opts.attachmentPublic }), false);
  }
}
