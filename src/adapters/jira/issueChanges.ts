// What the write-back pull asks Jira: the account's time zone (Jira reads JQL date literals in
// it), the tickets a JQL query finds, page by page, and whether a ticket still exists. Search
// pages are as large as Jira gives with fields (100), so a pull costs about one call per 100
// changed tickets. Cloud pages with nextPageToken (/rest/api/3/search/jql), Data Center with
// startAt (/rest/api/2/search). Every call goes through the gateway's limiter and retries.
// A search also tells Jira's own time (the Date header of its first page's answer), so a pull
// with nothing found can still move its checkpoint on without another call.
import type { Version2Client, Version3Client } from 'jira.js';
import type { CustomerClients } from './customers.js';

/** One ticket as the pull needs it; times are ISO instants in UTC. */
export interface TicketState {
  key: string;
  status: string | null;
  statusCategory: string | null;
  resolution: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  resolvedAt: string | null;
}

export const PULL_FIELDS = ['status', 'resolution', 'created', 'updated', 'resolutiondate'];
export const SEARCH_PAGE = 100;

type Issue = {
  key: string;
  fields?: {
    status?: { name?: string; statusCategory?: { key?: string } } | null;
    resolution?: { name?: string } | null;
    created?: string | null;
    updated?: string | null;
    resolutiondate?: string | null;
  };
};

/** Jira's REST time ("2026-11-23T05:45:02.123-0330") as an ISO instant in UTC; null if absent or unreadable. */
export function jiraTimeToIso(value: string | null | undefined): string | null {
  if (!value) return null;
  // The offset without a colon is Jira's; ISO 8601 as Date.parse must read it has one.
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function stateOf(i: Issue): TicketState {
  const f = i.fields ?? {};
  return {
    key: i.key,
    status: f.status?.name ?? null,
    statusCategory: f.status?.statusCategory?.key ?? null,
    resolution: f.resolution?.name ?? null,
    createdAt: jiraTimeToIso(f.created),
    updatedAt: jiraTimeToIso(f.updated),
    resolvedAt: jiraTimeToIso(f.resolutiondate),
  };
}

export class JiraIssueChanges {
  constructor(private readonly clients: CustomerClients) {}

  /** The IANA time zone of the account jira-sync calls as (GET /rest/api/{3|2}/myself). */
  async accountTimeZone(): Promise<string | null> {
    const me = (await this.clients.call('myself', ({ platform, cloud }) =>
      cloud ? (platform as Version3Client).myself.getCurrentUser() : (platform as Version2Client).myself.getCurrentUser(),
    )) as { timeZone?: string };
    return typeof me.timeZone === 'string' && me.timeZone !== '' ? me.timeZone : null;
  }

  /** Every ticket the query finds, handed over one page at a time; returns the calls made and
   *  Jira's time when the search began (ISO UTC, to the second; null if Jira sent no Date). */
  async search(jql: string, onPage: (tickets: TicketState[]) => Promise<void>): Promise<{ calls: number; serverTime: string | null }> {
    let calls = 0;
    let serverTime: string | null = null;
    let token: string | undefined;
    let startAt = 0;
    for (;;) {
      calls++;
      const { page, date } = await this.clients.call('search for changes', ({ platform, cloud }) =>
        searchPage(platform, cloud ? { jql, fields: PULL_FIELDS, maxResults: SEARCH_PAGE, nextPageToken: token } : { jql, fields: PULL_FIELDS, maxResults: SEARCH_PAGE, startAt, validateQuery: 'warn' }, cloud),
      );
      if (calls === 1) serverTime = httpDateToIso(date);
      const issues = page.issues ?? [];
      await onPage(issues.map(stateOf));
      startAt += issues.length;
      // Cloud: follow the token (pages may be shorter than asked); Data Center: count against the total.
      const more = page.nextPageToken !== undefined ? page.isLast !== true : page.total !== undefined && startAt < page.total && issues.length > 0;
      if (!more) return { calls, serverTime };
      token = page.nextPageToken;
    }
  }

  /** false when Jira answers 404 for the ticket (deleted, or moved out of our sight); read live, not from the index. */
  async exists(key: string): Promise<boolean> {
    try {
      await this.clients.call('get issue', ({ platform, cloud }): Promise<unknown> =>
        cloud
          ? (platform as Version3Client).issues.getIssue({ issueIdOrKey: key, fields: ['status'] })
          : (platform as Version2Client).issues.getIssue({ issueIdOrKey: key, fields: ['status'] }),
      );
      return true;
    } catch (err) {
      if ((err as { kind?: string }).kind === 'not-found') return false;
      throw err;
    }
  }
}

type SearchPage = { issues?: Issue[]; nextPageToken?: string; isLast?: boolean; total?: number };

/**
 * One search page with its answer's Date header. jira.js's typed search methods give the body
 * only; its full-response call sends the same request (Cloud: POST /rest/api/3/search/jql,
 * Data Center: POST /rest/api/2/search) and keeps the headers. A failure is turned into the
 * error the typed methods throw, so the gateway's retries and classification see no difference.
 */
async function searchPage(platform: Version3Client | Version2Client, body: Record<string, unknown>, cloud: boolean): Promise<{ page: SearchPage; date: unknown }> {
  try {
    const res = await platform.sendRequestFullResponse<SearchPage>({ url: cloud ? '/rest/api/3/search/jql' : '/rest/api/2/search', method: 'POST', data: body });
    return { page: res.data, date: res.headers?.['date'] };
  } catch (err) {
    platform.handleFailedResponse(err);
    throw err;
  }
}

/** An HTTP Date header ("Tue, 01 Dec 2026 07:40:00 GMT") as an ISO instant; null if absent or unreadable. */
export function httpDateToIso(value: unknown): string | null {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** The keys a refused `key in (…)` query names as not existing (Cloud's strict JQL validation). */
export function missingKeysIn(message: string): string[] {
  return [...message.matchAll(/An issue with key '([^']+)' does not exist/g)].map((m) => (m[1] ?? '').toUpperCase());
}

/** The zone's offset from UTC at `ms`, as Intl names it ("GMT-03:30"). */
function offsetName(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/**
 * An instant as a JQL date literal ("2026/11/23 09:15") on the wall clock of `timeZone`, the
 * account's zone, in which Jira reads it. Rounded down to the minute (JQL has no seconds), so the
 * search starts at or before the instant, never after it. When clocks go back, an hour of wall
 * clock happens twice and Jira may read the later one, so within an hour of a change of offset
 * the literal is taken an hour earlier: a wider window costs a few tickets read again, a
 * narrower one a missed change.
 */
export function jqlDate(ms: number, timeZone: string): string {
  const here = offsetName(ms, timeZone);
  const near = here !== offsetName(ms - 3_600_000, timeZone) || here !== offsetName(ms + 3_600_000, timeZone);
  const at = near ? ms - 3_600_000 : ms;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}/${parts.month}/${parts.day} ${parts.hour}:${parts.minute}`;
}
