// Step 5: the JSM request, created at most once. The claim (state `creating`) is committed
// before the POST, so a crash or a lost answer leaves evidence; such a submission is settled
// by searching Jira for its marker, never by creating again blindly.
import type { Logger } from 'pino';
import { asJiraError, type JiraCallError } from '../adapters/jira/errors.js';
import type { FoundTicket, JiraGateway } from '../adapters/jira/gateway.js';
import type { TrackedSubmission, Tracker } from '../adapters/tracker/tracker.js';
import { failpoint } from '../failpoints.js';
import type { TicketRequest } from './mapFields.js';

export interface StepContext {
  tracker: Tracker;
  jira: JiraGateway;
  now: () => Date;
  runId: string;
  recoveryGraceMs: number;
  log: Logger;
}

export type CreateResult =
  | { kind: 'created'; ticketKey: string; recovered: boolean; note?: string }
  | { kind: 'waiting'; note: string }
  | { kind: 'taken'; note: string }
  | { kind: 'rejected'; error: string }
  | { kind: 'lost'; error: string }
  | { kind: 'fatal'; error: JiraCallError };

/** A submission left in `creating` by an earlier attempt: adopt its ticket if Jira has one. */
async function recover(ctx: StepContext, sub: TrackedSubmission, marker: string, found?: FoundTicket[]): Promise<CreateResult | 'create-again'> {
  const hits = found ?? (await ctx.jira.findByMarker(marker));
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
    return { kind: 'created', ticketKey: oldest.key, recovered: true, note };
  }
  const startedMs = sub.attemptStartedAt ? Date.parse(sub.attemptStartedAt) : 0;
  const waitedMs = ctx.now().getTime() - startedMs;
  if (waitedMs < ctx.recoveryGraceMs) {
    // Jira's search index lags; "not found" only counts once the grace period has passed.
    return { kind: 'waiting', note: `no ticket found yet for an attempt ${Math.round(waitedMs / 1000)} s ago; searching again after the grace period` };
  }
  if (!ctx.tracker.reclaimCreating(sub.key, sub.attemptStartedAt, ctx.runId)) return { kind: 'waiting', note: 'another run took this submission' };
  ctx.log.info({ attemptStartedAt: sub.attemptStartedAt }, 'no ticket found after the grace period; creating again');
  return 'create-again';
}

export async function createTicket(ctx: StepContext, sub: TrackedSubmission, request: TicketRequest): Promise<CreateResult> {
  try {
    if (sub.state === 'creating') {
      const r = await recover(ctx, sub, request.marker);
      if (r !== 'create-again') return r;
    } else if (!ctx.tracker.claimForCreate(sub.key, ctx.runId)) {
      return { kind: 'waiting', note: 'another run claimed this submission' };
    } else if (sub.verifyFirst) {
      // The tracker was restored from a backup: this submission may have a ticket it forgot.
      const hits = await ctx.jira.findByMarker(request.marker);
      if (hits.length > 0) {
        const adopted = await recover(ctx, sub, request.marker, hits);
        if (adopted !== 'create-again') return adopted;
      }
    }
  } catch (err) {
    const e = asJiraError(err, 'search by marker');
    return e.kind === 'auth' || e.kind === 'unreachable' || e.kind === 'transient' || e.kind === 'rate-limited'
      ? { kind: 'fatal', error: e }
      : { kind: 'lost', error: `searching Jira for the marker failed: ${e.message}` };
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
  return { kind: 'created', ticketKey: res.issueKey, recovered: false };
}
