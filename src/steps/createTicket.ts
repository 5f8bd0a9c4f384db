// Step 5: the JSM request, created at most once. The claim (state `creating`) is committed
// before the POST, so a crash or a lost answer leaves evidence; such a submission is settled
// by searching Jira for its marker (recoverTicket), never by creating again blindly.
import type { Logger } from 'pino';
import { asJiraError, type JiraCallError } from '../adapters/jira/errors.js';
import type { JiraGateway } from '../adapters/jira/gateway.js';
import type { Row } from '../adapters/postgres/values.js';
import { nextAttemptAt, type TrackedSubmission, type Tracker } from '../adapters/tracker/tracker.js';
import { failpoint } from '../failpoints.js';
import { markerFor, type TicketRequest } from '../mapping/request.js';

export interface StepContext {
  tracker: Tracker;
  jira: JiraGateway;
  now: () => Date;
  runId: string;
  recoveryGraceMs: number;
  log: Logger;
}

export type CreateResult =
  | { kind: 'created'; ticketKey: string }
  | { kind: 'waiting'; note: string }
  | { kind: 'taken'; note: string }
  | { kind: 'rejected'; error: string }
  | { kind: 'lost'; error: string }
  | { kind: 'fatal'; error: JiraCallError };

export type RecoverResult =
  | { kind: 'adopted'; ticketKey: string; note: string }
  /** Nothing found and the grace period is over: the caller may create again (createTicket). */
  | { kind: 'none' }
  | { kind: 'waiting'; note: string }
  | { kind: 'taken'; note: string }
  | { kind: 'search-failed'; error: string; parked: boolean }
  | { kind: 'fatal'; error: JiraCallError };

/** Whether a failed search means Jira as a whole is unusable for this run (stop it, count nothing)
 *  rather than a failure of this submission's search (a refused JQL, a permission, a server error),
 *  which is counted against the submission so that it cannot stall every later run. */
function stopsTheRun(e: JiraCallError): boolean {
  return e.kind === 'unreachable' || e.kind === 'rate-limited' || (e.kind === 'auth' && e.status !== 403);
}

/** A submission in `creating` (a create call may have reached Jira): adopt its ticket if Jira has one. */
export async function recoverTicket(ctx: StepContext & { maxAttempts: number }, sub: TrackedSubmission): Promise<RecoverResult> {
  let hits;
  try {
    hits = await ctx.jira.findByMarker(markerFor(sub.key));
  } catch (err) {
    const e = asJiraError(err, 'search by marker');
    if (stopsTheRun(e)) return { kind: 'fatal', error: e };
    const error = `searching Jira for the marker failed: ${e.message}; a ticket may already exist, so nothing is created until a search succeeds`;
    const attempts = (ctx.tracker.get(sub.key)?.attempts ?? sub.attempts) + 1;
    const at = nextAttemptAt(attempts, ctx.maxAttempts, ctx.now());
    if (!ctx.tracker.markSearchFailed(sub.key, sub.attemptStartedAt, error, at)) return { kind: 'taken', note: 'another run settled this submission first' };
    ctx.log.warn({ outcome: at ? 'failed:search' : 'parked', error, attempts, nextAttemptAt: at?.toISOString() }, 'marker search failed');
    return { kind: 'search-failed', error, parked: at === null };
  }
  if (hits.length > 0) {
    const [oldest] = hits as [(typeof hits)[0]];
    let note = `adopted ${oldest.key}, created by an earlier attempt whose answer was lost`;
    if (hits.length > 1) {
      note = `Jira has ${hits.length} tickets with this submission's marker (${hits.map((h) => h.key).join(', ')}); adopted the oldest, ${oldest.key}: review the others`;
      ctx.tracker.flagForReview(sub.key, note);
      ctx.log.warn({ tickets: hits.map((h) => h.key) }, 'duplicate tickets found; flagged for review');
    }
    if (!ctx.tracker.markCreated(sub.key, oldest.key, oldest.id, 'recovered')) return { kind: 'taken', note: 'another run settled this submission first' };
    ctx.log.info({ ticketKey: oldest.key }, 'recovered ticket by marker');
    return { kind: 'adopted', ticketKey: oldest.key, note };
  }
  const startedMs = sub.attemptStartedAt ? Date.parse(sub.attemptStartedAt) : 0;
  const waitedMs = ctx.now().getTime() - startedMs;
  if (waitedMs < ctx.recoveryGraceMs) {
    // Jira's search index lags; "not found" only counts once the grace period has passed. Until
    // then the submission is not due, so it takes no new row's place in a batch.
    const until = new Date(startedMs + ctx.recoveryGraceMs);
    ctx.tracker.deferRecovery(sub.key, sub.attemptStartedAt, until);
    return { kind: 'waiting', note: `no ticket found yet for an attempt ${Math.round(waitedMs / 1000)} s ago; searched again after ${until.toISOString()}` };
  }
  return { kind: 'none' };
}

/** Claims the submission (or, after recoverTicket found nothing, re-claims it) and sends the one create call.
 *  `row` is what the request was built from; the tracker keeps it as the submission's payload. */
export async function createTicket(ctx: StepContext, sub: TrackedSubmission, request: TicketRequest, row: Row): Promise<CreateResult> {
  if (sub.state === 'creating') {
    if (!ctx.tracker.reclaimCreating(sub.key, sub.attemptStartedAt, ctx.runId, row)) return { kind: 'waiting', note: 'another run took this submission' };
    ctx.log.info({ attemptStartedAt: sub.attemptStartedAt }, 'no ticket found after the grace period; creating again');
  } else if (!ctx.tracker.claimForCreate(sub.key, ctx.runId, row)) {
    return { kind: 'waiting', note: 'another run claimed this submission' };
  }
  failpoint('after-claim');

  let res: { issueKey: string; issueId: string };
  try {
    res = await ctx.jira.createRequest(request.requestFieldValues, request.raiseOnBehalfOf);
  } catch (err) {
    const e = asJiraError(err, 'create request');
    if (e.mayHaveTakenEffect) {
      ctx.tracker.noteError(sub.key, 'failed:jira-unavailable', `${e.message}; Jira may have created the ticket: the next run searches for it before creating again`);
      return { kind: 'lost', error: e.message };
    }
    if (e.kind === 'rejected' || e.kind === 'not-found') return { kind: 'rejected', error: e.jiraMessage || e.message };
    ctx.tracker.releaseClaim(sub.key, e.message);
    return { kind: 'fatal', error: e };
  }
  failpoint('after-create-response');
  if (!ctx.tracker.markCreated(sub.key, res.issueKey, res.issueId, 'created')) {
    // Another run adopted this ticket while our answer was on its way; it carries on from here.
    return { kind: 'taken', note: `another run adopted ${res.issueKey} first` };
  }
  ctx.log.info({ ticketKey: res.issueKey }, 'ticket created');
  failpoint('after-created');
  return { kind: 'created', ticketKey: res.issueKey };
}
