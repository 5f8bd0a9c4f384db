// What a Jira error means for one submission: the only place such a rule lives. The steps make
// one Jira call each and throw its JiraCallError; processSubmission hands it here with the step
// it came from. decide() is the rule (a table: step and error kind in, verdict out); settle()
// records the verdict through the tracker and returns the submission's outcome, or rethrows
// the error when the whole run must stop (the worker pool then takes no new submission).
import type { Logger } from 'pino';
import type { JiraCallError } from './adapters/jira/errors.js';
import type { TrackerStore } from './adapters/tracker/store.js';
import type { TrackedSubmission } from './adapters/tracker/tracker.js';
import { inProgress, type Outcome } from './outcome.js';

/** The Jira call a submission was making. */
export type Step = 'customer' | 'search' | 'create' | 'attach';

/**
 * stop: Jira as a whole cannot be used by this run (down, rate-limiting past the retry budget,
 *       refusing our credentials): the error is rethrown and the run stops.
 * fail: Jira refused this submission: it fails, is retried on the tracker's schedule, or parked.
 * unsure: the call may have taken effect: the state is kept, and the next run looks in Jira first
 *       (searches the marker for a create, lists the attachments for an attach).
 */
export type Verdict = 'stop' | 'fail' | 'unsure';

/** Down, throttled past the retry budget, or a 401. A 403 concerns one resource, not the account. */
function jiraUnusable(e: JiraCallError): boolean {
  return e.kind === 'unreachable' || e.kind === 'rate-limited' || (e.kind === 'auth' && e.status !== 403);
}

const refusedThis = (e: JiraCallError) => e.kind === 'rejected' || e.kind === 'not-found';

export function decide(step: Step, e: JiraCallError): Verdict {
  switch (step) {
    case 'customer':
      // A 403 here means the account may not create customers: only people who are not customers yet fail.
      return jiraUnusable(e) || e.kind === 'transient' ? 'stop' : 'fail';
    case 'search':
      // A refused JQL, a permission, a server error: counted against this submission, so it cannot stall every later run.
      return jiraUnusable(e) ? 'stop' : 'fail';
    case 'create':
      if (e.mayHaveTakenEffect) return 'unsure';
      return refusedThis(e) ? 'fail' : 'stop';
    case 'attach':
      if (jiraUnusable(e) || e.kind === 'auth' || e.kind === 'transient') return 'stop';
      return refusedThis(e) ? 'fail' : 'unsure';
  }
}

/** What the call was about, for the message kept in the tracker. */
export interface StepFacts {
  step: Step;
  /** The customer's email (customer step). */
  email?: string;
  /** The ticket being attached to (attach step). */
  ticketKey?: string;
}

/** Why the submission failed, as `status` shows it. */
export function describeFailure(at: StepFacts, e: JiraCallError): string {
  const jira = e.jiraMessage || e.message;
  switch (at.step) {
    case 'customer': {
      const hint = e.kind === 'auth' ? ' (the Jira account in the configuration may not create customers: make this person a customer in Jira, or give the account permission)' : '';
      return `raiseOnBehalfOf ${at.email ?? ''} (RAISE_ON_BEHALF_OF_COLUMN): ${jira}${hint}`;
    }
    case 'search':
      return `searching Jira for the marker failed: ${e.message}; a ticket may already exist, so nothing is created until a search succeeds`;
    case 'create':
      return jira;
    case 'attach':
      return `ticket ${at.ticketKey ?? ''} was created, but Jira refused the attachment: ${jira}`;
  }
}

export interface SettleContext {
  tracker: TrackerStore;
  log: Logger;
  maxAttempts: number;
}

/** A failed attempt of `sub` on the tracker's retry schedule; parked once the attempts are spent. */
export async function failSubmission(ctx: SettleContext, sub: TrackedSubmission, tag: 'failed:invalid-value' | 'failed:jira-rejected', error: string, countAttempt: boolean): Promise<Outcome> {
  const { nextAttemptAt: at, attempts } = await ctx.tracker.fail(sub.key, tag, error, { maxAttempts: ctx.maxAttempts, countAttempt, fallbackAttempts: sub.attempts });
  // Stryker disable next-line all: a log line, read by people only (mutation testing skips it)
  ctx.log.warn({ outcome: at ? tag : 'parked', error, attempts, nextAttemptAt: at?.toISOString() }, at ? 'submission failed' : 'submission parked');
  return at ? { tag, error } : { tag: 'parked', error };
}

/** Records what `e` means for `sub` and returns its outcome; rethrows `e` when the run must stop. */
export async function settle(ctx: SettleContext, sub: TrackedSubmission, at: StepFacts, e: JiraCallError): Promise<Outcome> {
  const verdict = decide(at.step, e);
  // An attachment that failed in any way leaves the reason on the ticketed submission for `status`.
  if (at.step === 'attach') await ctx.tracker.noteError(sub.key, 'failed:jira-unavailable', `ticket ${at.ticketKey ?? ''} exists but the attachment failed: ${e.message}`);
  if (verdict === 'stop') {
    // The claim of a create call that certainly never reached Jira is undone: the next run creates it.
    if (at.step === 'create') await ctx.tracker.releaseClaim(sub.key, e.message);
    throw e;
  }
  if (verdict === 'unsure') {
    if (at.step === 'create') await ctx.tracker.noteError(sub.key, 'failed:jira-unavailable', `${e.message}; Jira may have created the ticket: the next run searches for it before creating again`);
    return { tag: 'failed:jira-unavailable', error: e.message };
  }
  const error = describeFailure(at, e);
  if (at.step === 'search') {
    // verify_first is set: whenever it is tried again, it is searched for before anything is created.
    const failed = await ctx.tracker.searchFailed(sub.key, sub.attemptStartedAt, error, { maxAttempts: ctx.maxAttempts, fallbackAttempts: sub.attempts });
    if (!failed) return inProgress('another run settled this submission first');
    // Stryker disable next-line all: a log line, read by people only (mutation testing skips it)
    ctx.log.warn({ outcome: failed.nextAttemptAt ? 'failed:search' : 'parked', error, attempts: failed.attempts, nextAttemptAt: failed.nextAttemptAt?.toISOString() }, 'marker search failed');
    return failed.nextAttemptAt ? { tag: 'failed:jira-unavailable', error } : { tag: 'parked', error };
  }
  // A create attempt was counted by its claim; a customer or attachment attempt is counted here.
  return failSubmission(ctx, at.ticketKey ? { ...sub, ticketKey: at.ticketKey } : sub, 'failed:jira-rejected', error, at.step !== 'create');
}
