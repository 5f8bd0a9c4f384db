import { defaultRequestTypeFields, DEFAULT_REQUEST_TYPE_ID } from './defaults.js';
import type {
  FakeCustomer,
  FakeIssue,
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
  readonly now: () => number;
  auth: FakeJiraAuth;
  latencyMs: number;
  searchLagMs: number;
  /** IANA zone of the calling account: JQL date literals are read in it, timestamps rendered in it. */
  accountTimeZone: string;
  readonly workflow: Workflow;

  private readonly initialRequestTypes: Record<string, FakeRequestTypeField[]>;
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
    this.restoreRequestTypes();
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

  nextIssueIdentity(): { id: string; key: string } {
    const n = ++this.counters.issue;
    return { id: String(10000 + n), key: `${this.projectKey}-${n}` };
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
  }
}

function freshCounters() {
  return { issue: 0, attachment: 0, comment: 0, temporary: 0, customer: 0 };
}
