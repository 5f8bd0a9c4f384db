// One submission through steps 4-7 (map, create, attach, mark processed), resuming from
// whatever state an earlier run left it in. Orchestration only: no SQL or HTTP here.
//
// Which row a submission is built from: one with no ticket yet is built from its source row as
// it is now (re-read by the run), so a person fixes a failure by correcting the row and running
// `jira-sync retry`; its key stays the key it was registered with. One with a ticket is never
// built again: its attachment is the payload the tracker kept from the create call.
import type { Row } from './adapters/postgres/values.js';
import type { TrackedSubmission } from './adapters/tracker/tracker.js';
import { nextAttemptAt } from './adapters/tracker/tracker.js';
import type { MappingFile } from './mapping/format.js';
import { attachSubmission } from './steps/attachSubmission.js';
import { createTicket, recoverTicket, type StepContext } from './steps/createTicket.js';
import { attachmentFor, buildTicketRequest, type TicketRequest } from './mapping/request.js';
import { markProcessed } from './steps/markProcessed.js';
import type { Outcome } from './steps/outcome.js';
import type { JiraCallError } from './adapters/jira/errors.js';
import type { CustomerDirectory } from './adapters/jira/customers.js';
import { resolveCustomer } from './steps/resolveCustomer.js';

export { nextAttemptAt };

export interface ProcessContext extends StepContext {
  mapping: MappingFile;
  maxAttempts: number;
  /** attach_submission.log; ctx.log is create_ticket.log. */
  attachLog: StepContext['log'];
  raiseOnBehalfOfColumn: string | null;
  /** Looks up or creates the reporter when RAISE_ON_BEHALF_OF_COLUMN is set. */
  customers: CustomerDirectory | null;
  /** Whether the run that last touched a submission may still be working on it. */
  isRunAlive: (runId: string | null) => boolean;
  /** Called when Jira is down or refuses us: the run stops taking new submissions. */
  onFatal: (error: JiraCallError) => void;
}

/** A submission to work on, with its source row as it is now (null: the row was deleted).
 *  The row is only read for a submission without a ticket. */
export interface WorkItem {
  sub: TrackedSubmission;
  row: Row | null;
}

function fail(ctx: ProcessContext, sub: TrackedSubmission, tag: 'failed:invalid-value' | 'failed:jira-rejected', error: string, countAttempt: boolean): Outcome {
  // The tracker is the truth: a claim in this run has already counted its attempt there.
  const attempts = (ctx.tracker.get(sub.key)?.attempts ?? sub.attempts) + (countAttempt ? 1 : 0);
  const at = nextAttemptAt(attempts, ctx.maxAttempts, ctx.now());
  ctx.tracker.markFailed(sub.key, tag, error, at, countAttempt);
  ctx.log.warn({ outcome: at ? tag : 'parked', error, attempts, nextAttemptAt: at?.toISOString() }, at ? 'submission failed' : 'submission parked');
  return at ? { tag, error } : { tag: 'parked', error };
}

/** Attaches the submission to its ticket (once) and marks it done. */
async function attachAndFinish(
  ctx: ProcessContext,
  sub: TrackedSubmission,
  ticketKey: string,
  file: Pick<TicketRequest, 'attachmentName' | 'attachment'>,
  recovered: boolean,
  note: string,
): Promise<Outcome> {
  const attached = await attachSubmission({ ...ctx, log: ctx.attachLog }, { key: sub.key, ticketKey }, file, { checkFirst: recovered });
  switch (attached.kind) {
    case 'fatal':
      ctx.onFatal(attached.error);
      return { tag: 'stopped', error: attached.error.message };
    case 'lost':
      return { tag: 'failed:jira-unavailable', error: attached.error };
    case 'rejected':
      return fail(ctx, { ...sub, ticketKey }, 'failed:jira-rejected', `ticket ${ticketKey} was created, but Jira refused the attachment: ${attached.error}`, true);
    case 'taken':
      return { tag: 'skipped:in-progress', note: attached.note };
    case 'attached':
      break;
  }
  markProcessed(ctx.tracker, sub.key, recovered ? 'recovered' : 'created');
  return recovered ? { tag: 'recovered', ticketKey, note } : { tag: 'created', ticketKey };
}

export async function processSubmission(ctx: ProcessContext, item: WorkItem): Promise<Outcome> {
  let sub = item.sub;
  if ((sub.state === 'creating' || sub.state === 'created' || sub.state === 'attached') && sub.runId !== ctx.runId) {
    // Mid-way in another run: leave it alone while that run lives, then take it over, once.
    if (ctx.isRunAlive(sub.runId)) return { tag: 'skipped:in-progress', note: `run ${sub.runId} is working on it` };
    if (!ctx.tracker.takeOver(sub.key, sub.state, sub.runId, ctx.runId)) return { tag: 'skipped:in-progress', note: 'another run took it over' };
  }
  if (sub.state === 'attached') {
    markProcessed(ctx.tracker, sub.key, 'recovered');
    return { tag: 'recovered', ticketKey: sub.ticketKey ?? '', note: 'finished marking an attached ticket' };
  }
  if (sub.ticketKey) {
    // Never re-created: the attachment is the row the ticket was created from.
    return attachAndFinish(ctx, sub, sub.ticketKey, attachmentFor(sub), true, `resumed ${sub.ticketKey} from an earlier run`);
  }

  // No ticket known. One that may have a ticket all the same is searched for first.
  if (sub.state !== 'creating' && sub.verifyFirst) {
    if (!ctx.tracker.claimRecovery(sub.key, ctx.runId)) return { tag: 'skipped:in-progress', note: 'another run claimed this submission' };
    sub = { ...sub, state: 'creating' };
  }
  if (sub.state === 'creating') {
    const found = await recoverTicket(ctx, sub);
    switch (found.kind) {
      case 'adopted':
        // The ticket came from an earlier create call: attach the payload that call was built from.
        return attachAndFinish(ctx, sub, found.ticketKey, attachmentFor(sub), true, found.note);
      case 'waiting':
      case 'taken':
        return { tag: 'skipped:in-progress', note: found.note };
      case 'search-failed':
        return found.parked ? { tag: 'parked', error: found.error } : { tag: 'failed:jira-unavailable', error: found.error };
      case 'fatal':
        ctx.onFatal(found.error);
        return { tag: 'stopped', error: found.error.message };
      case 'none':
        break;
    }
  }

  if (item.row === null) {
    const error = `source row ${sub.sourceId} no longer exists in the source table, so no request was created; restore the row and \`jira-sync retry ${sub.sourceId}\` if it should still become one`;
    ctx.tracker.markFailed(sub.key, 'parked:row-gone', error, null);
    ctx.log.warn({ outcome: 'parked', error }, 'submission parked: its row is gone');
    return { tag: 'parked', error };
  }
  const row = item.row;
  const built = buildTicketRequest(ctx.mapping, { key: sub.key, sourceId: sub.sourceId, payload: row }, ctx.raiseOnBehalfOfColumn);
  if (!built.ok) return fail(ctx, sub, 'failed:invalid-value', built.error, true);

  const customer = await resolveCustomer(ctx.customers, built.request, ctx.log);
  if (customer.kind === 'fatal') {
    ctx.onFatal(customer.error);
    return { tag: 'stopped', error: customer.error.message };
  }
  if (customer.kind === 'rejected') return fail(ctx, sub, 'failed:jira-rejected', customer.error, true);

  const created = await createTicket(ctx, sub, customer.request, row);
  switch (created.kind) {
    case 'waiting':
    case 'taken':
      return { tag: 'skipped:in-progress', note: created.note };
    case 'rejected':
      return fail(ctx, sub, 'failed:jira-rejected', created.error, false);
    case 'lost':
      return { tag: 'failed:jira-unavailable', error: created.error };
    case 'fatal':
      ctx.onFatal(created.error);
      return { tag: 'stopped', error: created.error.message };
    case 'created':
      return attachAndFinish(ctx, sub, created.ticketKey, customer.request, false, '');
  }
}
