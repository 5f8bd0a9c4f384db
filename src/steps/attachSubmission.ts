// Step 6: the submission as a JSON file on its ticket, exactly once. When resuming a ticket
// made by an earlier run, its attachments are listed first so a second copy is never added.
// A failed call throws its JiraCallError; decide.ts says what that means for the submission.
import { failpoint } from '../failpoints.js';
import { asJiraError, jiraCall } from '../adapters/jira/errors.js';
import type { StepContext } from './createTicket.js';
import type { TicketRequest } from '../mapping/request.js';
import { inProgress, type Skipped } from '../outcome.js';

export async function attachSubmission(
  ctx: StepContext,
  sub: { key: string; ticketKey: string },
  request: Pick<TicketRequest, 'attachmentName' | 'attachment'>,
  opts: { checkFirst: boolean },
): Promise<'attached' | Skipped> {
  const alreadyThere = await jiraCall('attach file', async () => {
    if (opts.checkFirst && (await ctx.jira.attachmentNames(sub.ticketKey)).includes(request.attachmentName)) return true;
    // JSM takes a file in two calls (upload, then attach); the issue API in one.
    const temporaryId = ctx.jira.issueMode ? null : await ctx.jira.uploadTemporaryFile(request.attachmentName, request.attachment);
    try {
      if (temporaryId === null) await ctx.jira.addIssueAttachment(sub.ticketKey, request.attachmentName, request.attachment);
      else await ctx.jira.attachTemporaryFile(sub.ticketKey, temporaryId);
    } catch (err) {
      const e = asJiraError(err, 'attach file');
      // The answer was lost: Jira may have attached it. Look before deciding.
      if (!e.mayHaveTakenEffect || !(await ctx.jira.attachmentNames(sub.ticketKey)).includes(request.attachmentName)) throw e;
    }
    return false;
  });
  if (alreadyThere) {
    await ctx.tracker.markAttached(sub.key);
    ctx.log.info({ ticketKey: sub.ticketKey, file: request.attachmentName }, 'attachment already on the ticket');
    return 'attached';
  }
  failpoint('after-attach');
  if (!await ctx.tracker.markAttached(sub.key)) return inProgress('another run recorded the attachment first');
  ctx.log.info({ ticketKey: sub.ticketKey, file: request.attachmentName }, 'submission attached');
  failpoint('after-attached');
  return 'attached';
}
