// One submission through steps 4-7 (map, create, attach, mark processed), resuming from
// whatever state an earlier run left it in. Orchestration only: no SQL or HTTP here.
import type { TrackedSubmission } from './adapters/tracker/tracker.js';
import type { MappingFile } from './mapping/format.js';
import { attachSubmission } from './steps/attachSubmission.js';
import { createTicket, type StepContext } from './steps/createTicket.js';
import { buildTicketRequest } from './steps/mapFields.js';
import { markProcessed } from './steps/markProcessed.js';
import type { Outcome } from './steps/outcome.js';
import type { JiraCallError } from './adapters/jira/errors.js';
import type { CustomerDirectory } from './adapters/jira/customers.js';
import { resolveCustomer } from './steps/resolveCustomer.js';

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

const RETRY_BASE_MS = 15 * 60_000; // one cron interval, doubling per attempt

/** When to try a failed submission again, or null to park it for a person. */
export function nextAttemptAt(attempts: number, maxAttempts: number, now: Date): Date | null {
  if (attempts >= maxAttempts) return null;
  return new Date(now.getTime() + RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

function fail(ctx: ProcessContext, sub: TrackedSubmission, tag: 'failed:invalid-value' | 'failed:jira-rejected', error: string, countAttempt: boolean): Outcome {
  // The tracker is the truth: a claim in this run has already counted its attempt there.
  const attempts = (ctx.tracker.get(sub.key)?.attempts ?? sub.attempts) + (countAttempt ? 1 : 0);
  const at = nextAttemptAt(attempts, ctx.maxAttempts, ctx.now());
  ctx.tracker.markFailed(sub.key, tag, error, at, countAttempt);
  ctx.log.warn({ outcome: at ? tag : 'parked', error, attempts, nextAttemptAt: at?.toISOString() }, at ? 'submission failed' : 'submission parked');
  return at ? { tag, error } : { tag: 'parked', error };
}

export async function processSubmission(ctx: ProcessContext, sub: TrackedSubmission): Promise<Outcome> {
  if ((sub.state === 'creating' || sub.state === 'created' || sub.state === 'attached') && sub.runId !== ctx.runId) {
    // Mid-way in another run: leave it alone while that run lives, then take it over, once.
    if (ctx.isRunAlive(sub.runId)) return { tag: 'skipped:in-progress', note: `run ${sub.runId} is working on it` };
    if (!ctx.tracker.takeOver(sub.key, sub.state, sub.runId, ctx.runId)) return { tag: 'skipped:in-progress', note: 'another run took it over' };
  }
  if (sub.state === 'attached') {
    markProcessed(ctx.tracker, sub.key, 'recovered');
    return { tag: 'recovered', ticketKey: sub.ticketKey ?? '', note: 'finished marking an attached ticket' };
  }
  const built = buildTicketRequest(ctx.mapping, sub, ctx.raiseOnBehalfOfColumn);
  if (!built.ok) {
    if (sub.ticketKey) return fail(ctx, sub, 'failed:invalid-value', built.error, true);
    if (sub.state === 'creating') {
      // A ticket may exist from the earlier attempt; only the marker search may settle it.
      return { tag: 'failed:invalid-value', error: `${built.error} (left in creating for recovery)` };
    }
    return fail(ctx, sub, 'failed:invalid-value', built.error, true);
  }
  const request = built.request;

  let ticketKey = sub.ticketKey;
  let recovered = Boolean(ticketKey);
  let note = ticketKey ? `resumed ${ticketKey} from an earlier run` : '';
  if (!ticketKey) {
    const customer = await resolveCustomer(ctx.customers, request, ctx.log);
    if (customer.kind === 'fatal') {
      ctx.onFatal(customer.error);
      return { tag: 'stopped', error: customer.error.message };
    }
    if (customer.kind === 'rejected') {
      // A submission in `creating` may already have a ticket: only the marker search may settle it.
      if (sub.state === 'creating') return { tag: 'failed:jira-rejected', error: `${customer.error} (left in creating for recovery)` };
      return fail(ctx, sub, 'failed:jira-rejected', customer.error, true);
    }
    const created = await createTicket(ctx, sub, customer.request);
    switch (created.kind) {
      case 'waiting':
        return { tag: 'skipped:in-progress', note: created.note };
      case 'rejected':
        return fail(ctx, sub, 'failed:jira-rejected', created.error, false);
      case 'lost':
        return { tag: 'failed:jira-unavailable', error: created.error };
      case 'fatal':
        ctx.onFatal(created.error);
        return { tag: 'stopped', error: created.error.message };
      case 'taken':
        return { tag: 'skipped:in-progress', note: created.note };
      case 'created':
        ticketKey = created.ticketKey;
        recovered = created.recovered;
        note = created.note ?? '';
    }
  }

  const attached = await attachSubmission({ ...ctx, log: ctx.attachLog }, { key: sub.key, ticketKey }, request, { checkFirst: recovered });
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
