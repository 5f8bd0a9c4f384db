// The write-back table's row for a ticket, made from what Jira said of it: the create answer (the
// row appears in the run that made the ticket, with no extra call), a search hit, or the news
// that the ticket is gone. The one place that turns Jira's words into a row.
import type { CreatedRequest } from '../adapters/jira/gateway.js';
import type { TicketState } from '../adapters/jira/issueChanges.js';
import type { TicketOwner, WritebackSnapshot } from '../adapters/tracker/writeback.js';

/** The agent's view of a ticket. */
export function ticketUrl(baseUrl: string, key: string): string {
  return `${baseUrl}/browse/${key}`;
}

export function snapshotFromCreate(baseUrl: string, owner: Omit<TicketOwner, 'ticketKey'>, res: CreatedRequest): WritebackSnapshot {
  return {
    sourceId: owner.sourceId,
    submissionKey: owner.submissionKey,
    ticketKey: res.issueKey,
    ticketUrl: ticketUrl(baseUrl, res.issueKey),
    portalUrl: res.portalUrl,
    status: res.status,
    statusCategory: res.statusCategory,
    resolution: null,
    jiraCreatedAt: res.createdAt,
    // The create answer has no `updated`: a new ticket was last updated when it was created.
    jiraUpdatedAt: res.createdAt,
    resolvedAt: null,
    deletedAt: null,
  };
}

/** The columns that say whose ticket it is, the same whatever Jira said of it. */
function owned(baseUrl: string, owner: TicketOwner): Pick<WritebackSnapshot, 'sourceId' | 'submissionKey' | 'ticketKey' | 'ticketUrl'> {
  return { sourceId: owner.sourceId, submissionKey: owner.submissionKey, ticketKey: owner.ticketKey, ticketUrl: ticketUrl(baseUrl, owner.ticketKey) };
}

export function snapshotFromSearch(baseUrl: string, owner: TicketOwner, t: TicketState): WritebackSnapshot {
  return {
    ...owned(baseUrl, owner),
    // Search has no portal link; the one from the create answer is kept (mergeSnapshot).
    portalUrl: null,
    status: t.status,
    statusCategory: t.statusCategory,
    resolution: t.resolution,
    jiraCreatedAt: t.createdAt,
    jiraUpdatedAt: t.updatedAt,
    resolvedAt: t.resolvedAt,
    deletedAt: null,
  };
}

export function snapshotDeleted(baseUrl: string, owner: TicketOwner, at: Date): WritebackSnapshot {
  return {
    ...owned(baseUrl, owner),
    portalUrl: null,
    status: null,
    statusCategory: null,
    resolution: null,
    jiraCreatedAt: null,
    jiraUpdatedAt: null,
    resolvedAt: null,
    deletedAt: at.toISOString(),
  };
}
