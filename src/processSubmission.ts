// One submission through steps 4-7 (map, create, attach, mark processed), resuming from
// whatever state an earlier run left it in. Orchestration only: no SQL or HTTP here. Every
// Jira error a step throws goes to settle() in decide.ts, the one place that says what it
// means; one that must stop the run comes back out of processSubmission as a rethrow.
//
// Which row a submission is built from: one with no ticket yet is built from its source row as
// it is now (re-read by the run), so a person fixes a failure by correcting the row and running
// `jira-sync retry`; its key stays the key it was registered with. One with a ticket is never
// built again: its attachment is the payload the tracker kept from the create call.
import type { Row } from './adapters/postgres/values.js';
import type { TrackedSubmission } from './adapters/tracker/tracker.js';
import { JiraCallError } from './adapters/jira/errors.js';
import { targetWords } from './configTarget.js';
import type { CustomerDirectory } from './adapters/jira/customers.js';
import { failSubmission, settle, type StepFacts } from './decide.js';
import type { MappingFile } from './mapping/format.js';
import { attachmentFor, buildTicketRequest, type TextFormat, type TicketRequest } from './mapping/request.js';
import { attachSubmission } from './steps/attachSubmission.js';
import { createTicket, recoverTicket, type StepContext } from './steps/createTicket.js';
import { markProcessed } from './steps/markProcessed.js';
import { inProgress, type Outcome } from './outcome.js';
import { resolveCustomer } from './steps/resolveCustomer.js';

export interface ProcessContext extends StepContext {
  mapping: MappingFile;
  maxAttempts: number;
  /** attach_submission.log; ctx.log is create_ticket.log. */
  attachLog: StepContext['log'];
  raiseOnBehalfOfColumn: string | null;
  /** How text fields go to Jira (textFormatFor); plain when left out. */
  textFormat?: TextFormat;
  /** Looks up or creates the reporter when RAISE_ON_BEHALF_OF_COLUMN is set. */
  customers: CustomerDirectory | null;
  /** Whether the run that last touched a submission may still be working on it. */
  isRunAlive: (runId: string | null) => Promise<boolean>;
  /** Called once only the `done` commit is left: the worker may start its next submission,
   *  whose claim the tracker commits with or after this `done` (pool.ts). */
  release?: () => void;
}

/** A submission to work on, with its source row as it is now (null: the row was deleted).
 *  The row is only read for a submission without a ticket. */
export interface WorkItem {
  sub: TrackedSubmission;
  row: Row | null;
}

/** The submission's way through the steps; `at` names the Jira call in progress, for settle(). */
export async function processSubmission(ctx: ProcessContext, item: WorkItem): Promise<Outcome> {
  const at: StepFacts = { step: 'search' };
  try {
    return await advance(ctx, item, at);
  } catch (err) {
    if (!(err instanceof JiraCallError)) throw err;
    return settle(ctx, item.sub, at, err);
  }
}

/** Attaches the submission to its ticket (once) and marks it done. */
async function attachAndFinish(
  ctx: ProcessContext,
  at: StepFacts,
  sub: TrackedSubmission,
  ticketKey: string,
  file: Pick<TicketRequest, 'attachmentName' | 'attachment'>,
  recovered: boolean,
  note: string,
  /** A new ticket's key being committed (createTicket). */
  recorded?: Promise<boolean>,
): Promise<Outcome> {
  Object.assign(at, { step: 'attach', ticketKey });
  const attached = await attachSubmission({ ...ctx, log: ctx.attachLog }, { key: sub.key, ticketKey }, file, { checkFirst: recovered, recorded });
  if (attached !== 'attached') return attached;
  if (!await markProcessed(ctx.tracker, sub.key, recovered ? 'recovered' : 'created', 'created', ctx.release)) return inProgress('another run recorded the attachment first');
  return recovered ? { tag: 'recovered', ticketKey, note } : { tag: 'created', ticketKey };
}

async function advance(ctx: ProcessContext, item: WorkItem, at: StepFacts): Promise<Outcome> {
  let sub = item.sub;
  if ((sub.state === 'creating' || sub.state === 'created' || sub.state === 'attached') && sub.runId !== ctx.runId) {
    // Mid-way in another run: leave it alone while that run lives, then take it over, once.
    if (await ctx.isRunAlive(sub.runId)) return inProgress(`run ${sub.runId} is working on it`);
    if (!await ctx.tracker.takeOver(sub.key, sub.state, sub.runId, ctx.runId)) return inProgress('another run took it over');
  }
  if (sub.state === 'attached') {
    await markProcessed(ctx.tracker, sub.key, 'recovered', 'attached');
    return { tag: 'recovered', ticketKey: sub.ticketKey ?? '', note: 'finished marking an attached ticket' };
  }
  if (sub.ticketKey) {
    // Never re-created: the attachment is the row the ticket was created from.
    return attachAndFinish(ctx, at, sub, sub.ticketKey, attachmentFor(sub), true, `resumed ${sub.ticketKey} from an earlier run`);
  }

  // No ticket known. One that may have a ticket all the same is searched for first.
  if (sub.state !== 'creating' && sub.verifyFirst) {
    if (!await ctx.tracker.claimRecovery(sub.key, ctx.runId)) return inProgress('another run claimed this submission');
    sub = { ...sub, state: 'creating' };
  }
  if (sub.state === 'creating') {
    at.step = 'search';
    const found = await recoverTicket(ctx, sub);
    if (found && 'tag' in found) return found;
    // The ticket came from an earlier create call: attach the payload that call was built from.
    if (found) return attachAndFinish(ctx, at, sub, found.ticketKey, attachmentFor(sub), true, found.note);
  }

  if (item.row === null) {
    const { ticket } = targetWords(ctx.jira.issueMode ? 'issue' : 'request');
    const error = `source row ${sub.sourceId} no longer exists in the source table, so no ${ticket} was created; restore the row and \`jira-sync retry ${sub.sourceId}\` if it should still become one`;
    await ctx.tracker.park(sub.key, 'parked:row-gone', error);
    // Stryker disable next-line all: a log line, read by people only (mutation testing skips it)
    ctx.log.warn({ outcome: 'parked', error }, 'submission parked: its row is gone');
    return { tag: 'parked', error };
  }
  const row = item.row;
  const built = buildTicketRequest(ctx.mapping, { key: sub.key, sourceId: sub.sourceId, payload: row }, ctx.raiseOnBehalfOfColumn, ctx.textFormat);
  if (!built.ok) return failSubmission(ctx, sub, 'failed:invalid-value', built.error, true);

  Object.assign(at, { step: 'customer', email: built.request.raiseOnBehalfOf });
  const request = await resolveCustomer(ctx.customers, built.request, ctx.log);

  at.step = 'create';
  const created = await createTicket(ctx, sub, request, row);
  if ('tag' in created) return created;
  return attachAndFinish(ctx, at, sub, created.ticketKey, request, false, '', created.recorded);
}
