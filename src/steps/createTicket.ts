// Step 5: the ticket (a JSM request, or an issue in a plain project), created at most once. The claim (state `creating`) is committed
// before the POST, so a crash or a lost answer leaves evidence; such a submission is settled
// by searching Jira for its marker (recoverTicket), never by creating again blindly.
// A failed call throws its JiraCallError; decide.ts says what that means for the submission.
import type { Logger } from 'pino';
import { jiraCall } from '../adapters/jira/errors.js';
import type { JiraGateway } from '../adapters/jira/gateway.js';
import type { Row } from '../adapters/postgres/values.js';
import type { TrackerStore } from '../adapters/tracker/store.js';
import type { TrackedSubmission } from '../adapters/tracker/tracker.js';
import { failpoint } from '../failpoints.js';
import { markerFor, type TicketRequest } from '../mapping/request.js';
import { inProgress, type Skipped } from '../outcome.js';
import { snapshotFromCreate } from './ticketSnapshot.js';

export interface StepContext {
  tracker: TrackerStore;
  jira: JiraGateway;
  now: () => Date;
  runId: string;
  recoveryGraceMs: number;
  log: Logger;
  /** Set when WRITEBACK_TABLE is: the Jira site, for the ticket's link in the write-back row. */
  writeback?: { baseUrl: string } | null;
}

/** A ticket found by the marker search, adopted by the submission. */
export interface Adopted {
  ticketKey: string;
  note: string;
}

/** A submission in `creating` (a create call may have reached Jira): adopt its ticket if Jira has one.
 *  Null: nothing found and the grace period is over, so the caller may create again (createTicket). */
export async function recoverTicket(ctx: StepContext, sub: TrackedSubmission): Promise<Adopted | Skipped | null> {
  const hits = await jiraCall('search by marker', () => ctx.jira.findByMarker(markerFor(sub.key)));
  if (hits.length > 0) {
    const [oldest] = hits as [(typeof hits)[0]];
    let note = `adopted ${oldest.key}, created by an earlier attempt whose answer was lost`;
    if (hits.length > 1) {
      note = `Jira has ${hits.length} tickets with this submission's marker (${hits.map((h) => h.key).join(', ')}); adopted the oldest, ${oldest.key}: review the others`;
      await ctx.tracker.flagForReview(sub.key, note);
      // Stryker disable next-line all: a log line, read by people only (mutation testing skips it)
      ctx.log.warn({ tickets: hits.map((h) => h.key) }, 'duplicate tickets found; flagged for review');
    }
    if (!await ctx.tracker.markCreated(sub.key, oldest.key, oldest.id, 'recovered')) return inProgress('another run settled this submission first');
    // Stryker disable next-line all: a log line, read by people only (mutation testing skips it)
    ctx.log.info({ ticketKey: oldest.key }, 'recovered ticket by marker');
    return { ticketKey: oldest.key, note };
  }
  const startedMs = sub.attemptStartedAt ? Date.parse(sub.attemptStartedAt) : 0;
  const waitedMs = ctx.now().getTime() - startedMs;
  if (waitedMs < ctx.recoveryGraceMs) {
    // Jira's search index lags; "not found" only counts once the grace period has passed. Until
    // then the submission is not due, so it takes no new row's place in a batch.
    const until = new Date(startedMs + ctx.recoveryGraceMs);
    await ctx.tracker.deferRecovery(sub.key, sub.attemptStartedAt, until);
    return inProgress(`no ticket found yet for an attempt ${Math.round(waitedMs / 1000)} s ago; searched again after ${until.toISOString()}`);
  }
  return null;
}

/** Claims the submission (or, after recoverTicket found nothing, re-claims it) and sends the one create call.
 *  `row` is what the request was built from; the tracker keeps it as the submission's payload.
 *  Returns once Jira has answered, with the commit of the ticket key under way (`recorded`: false
 *  when another run adopted the ticket first), so the file can be uploaded meanwhile; nothing
 *  is attached to the ticket before `recorded` is true (attachSubmission). */
export async function createTicket(ctx: StepContext, sub: TrackedSubmission, request: TicketRequest, row: Row): Promise<{ ticketKey: string; recorded: Promise<boolean> } | Skipped> {
  // A row registered in this run is the payload the tracker holds already: it is not written again.
  if (sub.state === 'creating') {
    if (!await ctx.tracker.reclaimCreating(sub.key, sub.attemptStartedAt, ctx.runId, row)) return inProgress('another run took this submission');
    // Stryker disable next-line all: a log line, read by people only (mutation testing skips it)
    ctx.log.info({ attemptStartedAt: sub.attemptStartedAt }, 'no ticket found after the grace period; creating again');
  } else if (!await ctx.tracker.claimForCreate(sub.key, ctx.runId, row === sub.payload ? undefined : row)) {
    return inProgress('another run claimed this submission');
  }
  failpoint('after-claim');

  const res = await jiraCall('create request', () =>
    ctx.jira.createTicket(request.requestFieldValues, { raiseOnBehalfOf: request.raiseOnBehalfOf, issueTypeId: request.issueTypeId }),
  );
  failpoint('after-create-response');
  const recorded = ctx.tracker.markCreated(sub.key, res.issueKey, res.issueId, 'created').then(async (moved) => {
    // Not moved: another run adopted this ticket while our answer was on its way; it carries on from here.
    if (!moved) return false;
    // Stryker disable next-line all: a log line, read by people only (mutation testing skips it)
    ctx.log.info({ ticketKey: res.issueKey }, 'ticket created');
    // The write-back row from the create answer; written to PostgreSQL after the batch (run/writeback.ts).
    if (ctx.writeback) await ctx.tracker.writeback.keepSnapshots([snapshotFromCreate(ctx.writeback.baseUrl, { submissionKey: sub.key, sourceId: sub.sourceId }, res)]);
    failpoint('after-created');
    return true;
  });
  return { ticketKey: res.issueKey, recorded };
}
