import type { FakeIssue } from './types.js';
import { defaultIssueStatuses, defaultResolutions, defaultStatuses } from './workflowDefaults.js';

/**
 * The life of a ticket after it is created: statuses in Jira's three
 * categories, resolutions, and the search index's lagging copy of both.
 *
 * Every change (transition, resolution, attachment, deletion) is kept as a
 * version stamped with the injectable clock. JQL and search results read the
 * newest version that is at least `searchLagMs` old, so a search during the
 * lag sees the old status and the old `updated`, as Jira's index does. GET
 * routes read the live issue. Tests drive changes directly (no HTTP), like an
 * agent working the ticket in Jira's UI.
 */

export { STATUS_CATEGORIES } from './workflowDefaults.js';

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface FakeStatus {
  id: string;
  name: string;
  category: StatusCategoryKey;
}

export interface FakeResolution {
  id: string;
  name: string;
  description: string;
}

/** One state of a ticket, as stored and (later) as indexed. */
export interface IssueVersion {
  /** Injectable-clock ms at which this version was written. */
  at: number;
  status: FakeStatus;
  resolution: FakeResolution | null;
  updatedAt: number;
  resolvedAt: number | null;
  deleted: boolean;
}

/** What JQL and the search routes see of one ticket. */
export interface IndexedIssue extends IssueVersion {
  issue: FakeIssue;
}

export interface WorkflowOptions {
  /** The service desk's statuses; the first is the initial one. Names are unique, case-insensitively. */
  statuses?: FakeStatus[];
  /** The plain project's statuses, likewise. A name both workflows use must be the same status (same id), as in Jira. */
  issueStatuses?: FakeStatus[];
  resolutions?: FakeResolution[];
}

export interface TransitionOptions {
  /** A resolution name to set, or null to clear it. Default: kept in a done status, cleared otherwise. */
  resolution?: string | null;
}

export class Workflow {
  readonly statuses: FakeStatus[];
  readonly issueStatuses: FakeStatus[];
  readonly resolutions: FakeResolution[];
  private readonly history = new Map<string, { issue: FakeIssue; versions: IssueVersion[] }>();

  constructor(
    opts: WorkflowOptions,
    private readonly now: () => number,
    private readonly lagMs: () => number,
    private readonly liveIssues: FakeIssue[],
  ) {
    this.statuses = structuredClone(opts.statuses ?? defaultStatuses());
    this.issueStatuses = structuredClone(opts.issueStatuses ?? defaultIssueStatuses());
    this.resolutions = structuredClone(opts.resolutions ?? defaultResolutions());
    if (this.statuses.length === 0 || this.issueStatuses.length === 0) throw new Error('a workflow needs at least one status');
    for (const s of this.issueStatuses) {
      const same = findIn(this.statuses, s.name);
      if (same && same.id !== s.id) throw new Error(`status '${s.name}' has id ${same.id} in one workflow and ${s.id} in the other`);
    }
  }

  /** Requests follow the service desk's workflow, issues of the plain project its own. */
  statusesOf(issue: FakeIssue): FakeStatus[] {
    return issue.requestTypeId === '' ? this.issueStatuses : this.statuses;
  }

  initialStatusOf(issue: FakeIssue): FakeStatus {
    return this.statusesOf(issue)[0]!;
  }

  /** Any status of either workflow, as JQL knows them. */
  findStatus(nameOrId: string): FakeStatus | undefined {
    return findIn(this.statuses, nameOrId) ?? findIn(this.issueStatuses, nameOrId);
  }

  findResolution(nameOrId: string): FakeResolution | undefined {
    const needle = nameOrId.toLowerCase();
    return this.resolutions.find((r) => r.id === nameOrId || r.name.toLowerCase() === needle);
  }

  /** The ticket as it is now (what GET answers). Issues that never changed start in the initial status. */
  current(issue: FakeIssue): IssueVersion {
    return this.versionsOf(issue).at(-1)!;
  }

  /** The live status and when the ticket entered it (edits that keep the status do not count). */
  statusSince(issue: FakeIssue): { status: FakeStatus; since: number } {
    const versions = this.versionsOf(issue);
    let i = versions.length - 1;
    while (i > 0 && versions[i - 1]!.status.id === versions[i]!.status.id) i--;
    return { status: versions[i]!.status, since: versions[i]!.at };
  }

  /** Moves the ticket to `statusName`; `updated` moves on, and `resolutiondate` with the resolution. */
  transition(key: string, statusName: string, opts: TransitionOptions = {}): IssueVersion {
    const issue = this.live(key);
    const statuses = this.statusesOf(issue);
    const status = findIn(statuses, statusName);
    if (!status) throw new Error(`No status '${statusName}' in the workflow of ${issue.key} (have: ${statuses.map((s) => s.name).join(', ')})`);
    const before = this.current(issue);
    let resolution: FakeResolution | null;
    if (opts.resolution === undefined) resolution = status.category === 'done' ? before.resolution : null;
    else if (opts.resolution === null) resolution = null;
    else {
      const r = this.findResolution(opts.resolution);
      if (!r) throw new Error(`No resolution '${opts.resolution}' (have: ${this.resolutions.map((x) => x.name).join(', ')})`);
      resolution = r;
    }
    const at = this.now();
    // Jira stamps resolutiondate whenever a resolution is set, and clears it with the resolution.
    const resolvedAt = resolution === null ? null : resolution.id === before.resolution?.id ? before.resolvedAt : at;
    return this.push(issue, { at, status, resolution, updatedAt: at, resolvedAt, deleted: false });
  }

  /** Resolves the ticket: a done status (default 'Resolved' or its workflow's first done one) with a resolution. */
  resolve(key: string, resolution = 'Done', statusName?: string): IssueVersion {
    const statuses = this.statusesOf(this.live(key));
    const target = statusName ?? (findIn(statuses, 'Resolved') ?? statuses.find((s) => s.category === 'done'))?.name;
    if (!target) throw new Error('The fake workflow has no status in the done category');
    return this.transition(key, target, { resolution });
  }

  /** Back to its workflow's initial status (or `statusName`), resolution cleared. */
  reopen(key: string, statusName?: string): IssueVersion {
    return this.transition(key, statusName ?? this.initialStatusOf(this.live(key)).name, { resolution: null });
  }

  /** Any other edit (attachment, comment): only `updated` moves on. */
  touch(issue: FakeIssue): void {
    const before = this.current(issue);
    const at = this.now();
    this.push(issue, { ...before, at, updatedAt: at });
  }

  /** Gone from GET at once; the index forgets it only after the lag. */
  delete(key: string): void {
    const issue = this.live(key);
    this.push(issue, { ...this.current(issue), at: this.now(), deleted: true });
    this.liveIssues.splice(this.liveIssues.indexOf(issue), 1);
  }

  /**
   * Every ticket as the search index has it now: versions younger than the lag
   * are not there yet. Tickets whose ids are in `reconcile` are read live
   * instead, as Jira's enhanced search does for its `reconcileIssues`.
   */
  indexed(reconcile: ReadonlySet<string> = new Set()): IndexedIssue[] {
    const now = this.now();
    const lagged = now - this.lagMs();
    const out: IndexedIssue[] = [];
    const seen = new Set<string>();
    const consider = (issue: FakeIssue) => {
      if (seen.has(issue.id)) return;
      seen.add(issue.id);
      const cutoff = reconcile.has(issue.id) ? now : lagged;
      // Newest first, without copying: the benchmark searches over ten thousand tickets.
      const versions = this.versionsOf(issue);
      let i = versions.length - 1;
      while (i >= 0 && versions[i]!.at > cutoff) i--;
      const version = versions[i];
      if (version && !version.deleted) out.push({ ...version, issue });
    };
    this.liveIssues.forEach(consider);
    // Deleted tickets linger in the index until it catches up.
    for (const { issue } of this.history.values()) consider(issue);
    return out;
  }

  reset(): void {
    this.history.clear();
  }

  private live(key: string): FakeIssue {
    const issue = this.liveIssues.find((i) => i.key === key.toUpperCase() || i.id === key);
    if (!issue) throw new Error(`No issue ${key} in the fake Jira (deleted, or never created)`);
    return issue;
  }

  private versionsOf(issue: FakeIssue): IssueVersion[] {
    let h = this.history.get(issue.id);
    if (!h) {
      const created: IssueVersion = {
        at: issue.createdAt,
        status: this.initialStatusOf(issue),
        resolution: null,
        updatedAt: issue.createdAt,
        resolvedAt: null,
        deleted: false,
      };
      h = { issue, versions: [created] };
      this.history.set(issue.id, h);
    }
    return h.versions;
  }

  private push(issue: FakeIssue, version: IssueVersion): IssueVersion {
    this.versionsOf(issue).push(version);
    return version;
  }
}

function findIn(statuses: FakeStatus[], nameOrId: string): FakeStatus | undefined {
  const needle = nameOrId.toLowerCase();
  return statuses.find((s) => s.id === nameOrId || s.name.toLowerCase() === needle);
}
