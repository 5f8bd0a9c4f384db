// Step 6: the submission as a JSON file on its ticket, exactly once. When resuming a ticket
// made by an earlier run, its attachments are listed first so a second copy is never added.
// Nothing is committed here: markProcessed records `attached` and `done` in one commit.
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
  /** recorded: a new ticket's key being committed (createTicket). The upload touches no ticket,
   *  so it goes meanwhile; the file is attached only once the key is committed. */
  opts: { checkFirst: boolean; recorded?: Promise<boolean> },
): Promise<'attached' | Skipped> {
  let uploading: Promise<string> | null = null;
  if (opts.recorded) {
    if (!ctx.jira.issueMode) {
      uploading = jiraCall('attach file', () => ctx.jira.uploadTemporaryFile(request.attachmentName, request.attachment));
      uploading.catch(() => undefined); // awaited below, unless another run has the ticket
    }
    if (!(await opts.recorded)) return inProgress(`another run adopted ${sub.ticketKey} first`);
  }
  const alreadyThere = await jiraCall('attach file', async () => {
    if (opts.checkFirst && (await ctx.jira.attachmentNames(sub.ticketKey)).includes(request.attachmentName)) return true;
    // JSM takes a file in two calls (upload, then attach); the issue API in one.
    const temporaryId = ctx.jira.issueMode ? null : await (uploading ?? ctx.jira.uploadTemporaryFile(request.attachmentName, request.attachment));
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
    ctx.log.info({ ticketKey: sub.ticketKey, file: request.attachmentName }, 'attachment already on the ticket');
    return 'attached';
  }
  failpoint('after-attach');
  ctx.log.info({ ticketKey: sub.ticketKey, file: request.attachmentName }, 'submission attached');
  return 'attached';
}
