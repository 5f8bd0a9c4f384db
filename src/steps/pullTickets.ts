// The write-back's Jira reads, each kept in the tracker as snapshots (page by page, one
// transaction each): what changed since a time (one JQL search, ~100 tickets a call), and named
// tickets (`key in (…)`, 100 a call), with the ones Jira no longer has marked deleted.
// Only tickets the tracker knows are kept: the project may hold others.
import { JiraCallError } from '../adapters/jira/errors.js';
import { jqlDate, missingKeysIn, SEARCH_PAGE, type JiraIssueChanges, type TicketState } from '../adapters/jira/issueChanges.js';
import { laterOf, type TicketOwner, type WritebackSnapshot, type WritebackStore } from '../adapters/tracker/writeback.js';
import { snapshotDeleted, snapshotFromSearch } from './ticketSnapshot.js';

export interface PullContext {
  changes: JiraIssueChanges;
  store: WritebackStore;
  baseUrl: string;
  now: () => Date;
}

export interface PullResult {
  /** Jira calls made. */
  calls: number;
  /** The newest `updated` among the tickets found (ISO UTC), or null. */
  newest: string | null;
  /** Jira's time when the change search began (ISO UTC), or null (a pull by key, or no Date from Jira). */
  serverTime: string | null;
  /** Snapshots that changed in the tracker. */
  kept: number;
  deleted: number;
}

const quoteJql = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

/** The JQL of an incremental pull: our projects' tickets updated at or after `fromMs`, read in the account's zone. */
export function changedSinceJql(projects: string[], fromMs: number, timeZone: string): string {
  return `project in (${projects.map(quoteJql).join(', ')}) AND updated >= ${quoteJql(jqlDate(fromMs, timeZone))} ORDER BY key ASC`;
}

async function keep(ctx: PullContext, tickets: TicketState[], owners: Map<string, TicketOwner>): Promise<number> {
  const snapshots: WritebackSnapshot[] = [];
  for (const t of tickets) {
    const owner = owners.get(t.key.toUpperCase());
    if (owner) snapshots.push(snapshotFromSearch(ctx.baseUrl, owner, t));
  }
  return ctx.store.keepSnapshots(snapshots);
}

/** Every ticket of ours updated at or after `fromMs`. Key order keeps the paging stable while
 *  tickets change: a ticket updated mid-pull may show twice, never push another off a page. */
export async function pullChangedSince(ctx: PullContext, projects: string[], fromMs: number, timeZone: string): Promise<PullResult> {
  const out: PullResult = { calls: 0, newest: null, serverTime: null, kept: 0, deleted: 0 };
  const searched = await ctx.changes.search(changedSinceJql(projects, fromMs, timeZone), async (tickets) => {
    for (const t of tickets) out.newest = laterOf(out.newest, t.updatedAt);
    const owners = await ctx.store.ticketOwners(tickets.map((t) => t.key.toUpperCase()));
    out.kept += await keep(ctx, tickets, new Map(owners.map((o) => [o.ticketKey.toUpperCase(), o])));
  });
  out.calls = searched.calls;
  out.serverTime = searched.serverTime;
  return out;
}

/** These tickets (at most SEARCH_PAGE), read by key; the ones Jira no longer has are marked deleted. */
export async function pullByKey(ctx: PullContext, owners: TicketOwner[]): Promise<PullResult> {
  const out: PullResult = { calls: 0, newest: null, serverTime: null, kept: 0, deleted: 0 };
  const byKey = new Map(owners.map((o) => [o.ticketKey.toUpperCase(), o]));
  let keys = [...byKey.keys()];
  const found = new Set<string>();
  while (keys.length > 0) {
    try {
      const searched = await ctx.changes.search(`key in (${keys.map(quoteJql).join(', ')}) ORDER BY key ASC`, async (tickets) => {
        for (const t of tickets) {
          found.add(t.key.toUpperCase());
          out.newest = laterOf(out.newest, t.updatedAt);
        }
        out.kept += await keep(ctx, tickets, byKey);
      });
      out.calls += searched.calls;
      break;
    } catch (err) {
      // Cloud refuses the whole query for a key that no longer exists, naming it: ask again without it.
      const missing = err instanceof JiraCallError && err.kind === 'rejected' ? missingKeysIn(err.jiraMessage) : [];
      if (missing.length === 0 || !missing.every((k) => keys.includes(k))) throw err;
      out.calls++;
      keys = keys.filter((k) => !missing.includes(k));
    }
  }
  // Not found by the search: gone, or not indexed yet. Only a 404 from the live ticket means gone.
  const gone: WritebackSnapshot[] = [];
  for (const [key, owner] of byKey) {
    if (found.has(key)) continue;
    out.calls++;
    if (!(await ctx.changes.exists(key))) gone.push(snapshotDeleted(ctx.baseUrl, owner, ctx.now()));
  }
  out.deleted = gone.length;
  out.kept += await ctx.store.keepSnapshots(gone);
  return out;
}

export { SEARCH_PAGE };
