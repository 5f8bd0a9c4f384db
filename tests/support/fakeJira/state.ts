import { defaultRequestTypeFields, DEFAULT_REQUEST_TYPE_ID } from './defaults.js';
import { defaultIssueTypes, DEFAULT_ISSUE_PROJECT_KEY, ISSUE_PROJECT_ID } from './issueDefaults.js';
import type {
  FakeCustomer,
  FakeIssue,
  FakeIssueType,
  FakeJiraAuth,
  FakeJiraOptions,
  FakeRequestTypeField,
  RecordedRequest,
  TemporaryFile,
} from './types.js';
import { assertTimeZone } from './timeZone.js';
import { Workflow } from './workflow.js';

export interface FakeUser extends FakeCustomer {
  accountType: 'atlassian' | 'customer';
}

/**
 * All mutable data of one fake Jira. Collections are mutated in place (never
 * replaced) because the FakeJira handle hands out the same array/map objects.
 */
export class FakeState {
  readonly serviceDeskId: string;
  readonly projectKey: string;
  readonly projectId = '10000';
  readonly projectName: string;
  readonly otherServiceDesks: { id: string; projectKey: string; projectName: string }[];
  readonly issues: FakeIssue[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly temporaryFiles = new Map<string, TemporaryFile>();
  readonly customers: FakeCustomer[] = [];
  /** accountIds added to the service desk (GET servicedesk/{id}/customer lists only these). */
  readonly deskCustomers = new Set<string>();
  readonly requestTypes = new Map<string, FakeRequestTypeField[]>();
  /** The plain project of the issue API (no service desk), and its issue types in list order. */
  readonly issueProject: { id: string; key: string; name: string };
  readonly issueTypes = new Map<string, FakeIssueType>();
  readonly now: () => number;
  auth: FakeJiraAuth;
  latencyMs: number;
  searchLagMs: number;
  /** IANA zone of the calling account: JQL date literals are read in it, timestamps rendered in it. */
  accountTimeZone: string;
  readonly workflow: Workflow;

  private readonly initialRequestTypes: Record<string, FakeRequestTypeField[]>;
  private readonly initialIssueTypes: FakeIssueType[];
  private counters = freshCounters();

  constructor(opts: FakeJiraOptions) {
    this.serviceDeskId = opts.serviceDeskId ?? '1';
    this.projectKey = opts.projectKey ?? 'HW';
    this.projectName = `${this.projectKey} Service Desk`;
    this.otherServiceDesks = opts.otherServiceDesks ?? [];
    this.now = opts.now ?? Date.now;
    this.auth = opts.auth ?? null;
    this.latencyMs = opts.latencyMs ?? 0;
    this.searchLagMs = opts.searchLagMs ?? 0;
    this.accountTimeZone = opts.accountTimeZone ?? 'Etc/UTC';
    assertTimeZone(this.accountTimeZone);
    this.workflow = new Workflow(opts.workflow ?? {}, this.now, () => this.searchLagMs, this.issues);
    this.initialRequestTypes = opts.requestTypes ?? { [DEFAULT_REQUEST_TYPE_ID]: defaultRequestTypeFields() };
    const issueKey = opts.issueProjectKey ?? DEFAULT_ISSUE_PROJECT_KEY;
    this.issueProject = { id: ISSUE_PROJECT_ID, key: issueKey, name: `${issueKey} IT Support` };
    this.initialIssueTypes = opts.issueTypes ?? defaultIssueTypes();
    this.restoreRequestTypes();
  }

  /** Data Center (a bearer PAT) answers API v2 in its own shapes; everything else behaves as Cloud. */
  get isDataCenter(): boolean {
    return this.auth !== null && 'pat' in this.auth;
  }

  /** Project keys are matched case-insensitively, like Jira does in URLs and JQL. */
  findIssueProject(idOrKey: string): { id: string; key: string; name: string } | undefined {
    const p = this.issueProject;
    return idOrKey === p.id || idOrKey.toUpperCase() === p.key ? p : undefined;
  }

  /** Every project JQL knows about: the service desk's and the plain one. */
  get projects(): { key: string; id: string }[] {
    return [
      { key: this.projectKey, id: this.projectId },
      { key: this.issueProject.key, id: this.issueProject.id },
    ];
  }

  /** The account the credentials belong to: reporter of every request, answer of /myself. */
  get agent(): FakeUser {
    const email = this.auth && 'email' in this.auth ? this.auth.email : 'agent@example.com';
    return {
      accountId: '712020:5e1f0a3c-0000-4000-8000-000000000001',
      emailAddress: email,
      displayName: 'Jira Sync Agent',
      accountType: 'atlassian',
    };
  }

  allUsers(): FakeUser[] {
    return [this.agent, ...this.customers.map((c) => ({ ...c, accountType: 'customer' as const }))];
  }

  /** Resolves raiseOnBehalfOf-style references, which may be an email or an accountId. */
  findUser(emailOrAccountId: string): FakeUser | undefined {
    const needle = emailOrAccountId.toLowerCase();
    return this.allUsers().find((u) => u.accountId === emailOrAccountId || u.emailAddress.toLowerCase() === needle);
  }

  /** JSM accepts a project identifier wherever a serviceDeskId is expected. */
  isDesk(id: unknown): boolean {
    return id === this.serviceDeskId || id === this.projectKey || id === this.projectId;
  }

  findIssue(idOrKey: string): FakeIssue | undefined {
    return this.issues.find((i) => i.id === idOrKey || i.key === idOrKey.toUpperCase());
  }

  /** Only issues raised through the service desk are requests: JSM answers 404 for the others. */
  findRequest(idOrKey: string): FakeIssue | undefined {
    const issue = this.findIssue(idOrKey);
    return issue && issue.requestTypeId !== '' ? issue : undefined;
  }

  addCustomer(emailAddress: string, displayName?: string): FakeCustomer {
    const n = ++this.counters.customer;
    const customer: FakeCustomer = {
      accountId: `qm:a713c8ea-1075-4e30-9d96-891a7d181739:${n.toString(16).padStart(24, '0')}`,
      emailAddress,
      displayName: displayName ?? emailAddress,
    };
    this.customers.push(customer);
    return customer;
  }

  /** Ids are global, key numbers count per project, as in Jira. */
  nextIssueIdentity(projectKey = this.projectKey): { id: string; key: string; projectKey: string } {
    const n = ++this.counters.issue;
    const inProject = (this.counters.perProject.get(projectKey) ?? 0) + 1;
    this.counters.perProject.set(projectKey, inProject);
    return { id: String(10000 + n), key: `${projectKey}-${inProject}`, projectKey };
  }

  nextAttachmentId(): string {
    return String(20000 + ++this.counters.attachment);
  }

  nextCommentId(): string {
    return String(30000 + ++this.counters.comment);
  }

  /** Jira's ids look like temp8186986881700442965; a counter keeps them unique and readable. */
  nextTemporaryAttachmentId(): string {
    const n = ++this.counters.temporary;
    return `temp${(8186986881700442000n + BigInt(n)).toString()}`;
  }

  reset(): void {
    this.issues.length = 0;
    this.requests.length = 0;
    this.temporaryFiles.clear();
    this.customers.length = 0;
    this.deskCustomers.clear();
    this.workflow.reset();
    this.counters = freshCounters();
    this.restoreRequestTypes();
  }

  private restoreRequestTypes(): void {
    this.requestTypes.clear();
    for (const [id, fields] of Object.entries(this.initialRequestTypes)) {
      this.requestTypes.set(id, structuredClone(fields));
    }
    this.issueTypes.clear();
    for (const t of this.initialIssueTypes) this.issueTypes.set(t.id, structuredClone(t));
  }
}

function freshCounters() {
  return { issue: 0, attachment: 0, comment: 0, temporary: 0, customer: 0, perProject: new Map<string, number>() };
}
