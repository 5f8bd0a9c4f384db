// Step 6: the submission as a JSON file on its ticket, exactly once. When resuming a ticket
// made by an earlier run, its attachments are listed first so a second copy is never added.
import { failpoint } from '../failpoints.js';
import { asJiraError, type JiraCallError } from '../adapters/jira/errors.js';
import type { StepContext } from './createTicket.js';
import type { TicketRequest } from '../mapping/request.js';

export type AttachResult = { kind: 'attached'; alreadyThere: boolean } | { kind: 'taken'; note: string } | { kind: 'lost'; error: string } | { kind: 'rejected'; error: string } | { kind: 'fatal'; error: JiraCallError };

export async function attachSubmission(
  ctx: StepContext,
  sub: { key: string; ticketKey: string },
  request: Pick<TicketRequest, 'attachmentName' | 'attachment'>,
  opts: { checkFirst: boolean },
): Promise<AttachResult> {
  try {
    if (opts.checkFirst && (await ctx.jira.attachmentNames(sub.ticketKey)).includes(request.attachmentName)) {
      ctx.tracker.markAttached(sub.key);
      ctx.log.info({ ticketKey: sub.ticketKey, file: request.attachmentName }, 'attachment already on the ticket');
      return { kind: 'attached', alreadyThere: true };
    }
    const temporaryId = await ctx.jira.uploadTemporaryFile(request.attachmentName, request.attachment);
    try {
      await ctx.jira.attachTemporaryFile(sub.ticketKey, temporaryId);
    } catch (err) {
      const e = asJiraError(err, 'attach file');
      // The answer was lost: Jira may have attached it. Look before deciding.
      if (!e.mayHaveTakenEffect || !(await ctx.jira.attachmentNames(sub.ticketKey)).includes(request.attachmentName)) throw e;
    }
  } catch (err) {
    const e = asJiraError(err, 'attach file');
    ctx.tracker.noteError(sub.key, 'failed:jira-unavailable', `ticket ${sub.ticketKey} exists but the attachment failed: ${e.message}`);
    if (e.kind === 'auth' || e.kind === 'unreachable' || e.kind === 'transient' || e.kind === 'rate-limited') return { kind: 'fatal', error: e };
    if (e.kind === 'rejected' || e.kind === 'not-found') return { kind: 'rejected', error: e.jiraMessage || e.message };
    return { kind: 'lost', error: e.message };
  }
  failpoint('after-attach');
  if (!ctx.tracker.markAttached(sub.key)) return { kind: 'taken', note: 'another run recorded the attachment first' };
  ctx.log.info({ ticketKey: sub.ticketKey, file: request.attachmentName }, 'submission attached');
  failpoint('after-attached');
  return { kind: 'attached', alreadyThere: false };
}
