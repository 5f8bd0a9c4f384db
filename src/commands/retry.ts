// `jira-sync retry [--all | <key or source id>...]`: failed and parked submissions back in the
// queue, due at once. Reads and writes the tracker only; never creates one (no file, no schema).
import { trackerPlace, type ResolvedConfig } from '../config.js';
import { ExitCode } from '../errors.js';
import { makeNow, openTracker } from '../runtime.js';

export async function retryCommand(
  config: ResolvedConfig,
  opts: { all: boolean; ids: string[] },
  print: (line: string) => void,
  printError: (line: string) => void,
): Promise<number> {
  if (!opts.all && opts.ids.length === 0) {
    printError('jira-sync retry: name the submissions to retry (their key or source id), or use --all');
    return ExitCode.usage;
  }
  const now = makeNow();
  // `existing`: a command that only re-queues creates no tracker (no file, no schema).
  const tracker = await openTracker(config, now, { existing: true });
  if (!tracker) {
    if (opts.all) {
      print(`No tracker ${trackerPlace(config)} yet: no run has written anything, so there is nothing to retry yet.`);
      return ExitCode.ok;
    }
    printError(`jira-sync retry: no tracker ${trackerPlace(config)} yet (no run has written anything), so ${opts.ids.map((i) => `"${i}"`).join(', ')} matches no submission`);
    return ExitCode.usage;
  }
  try {
    let keys: string[] | 'all' = 'all';
    const notRequeued: string[] = [];
    if (!opts.all) {
      const { found, problems } = await tracker.resolveSelectors(opts.ids);
      if (problems.length > 0) {
        printError(`jira-sync retry: nothing was re-queued:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
        return ExitCode.usage;
      }
      keys = found.map((f) => f.key);
      for (const f of found) {
        if (f.state !== 'failed' && f.state !== 'parked') {
          notRequeued.push(`source id ${f.sourceId} is ${f.state}${f.ticketKey ? ` (${f.ticketKey})` : ''}: nothing to retry (only failed and parked submissions are re-queued)`);
        }
      }
    }
    const requeued = await tracker.requeue(keys, now());
    for (const r of requeued) print(`re-queued source id ${r.sourceId} (key ${r.key})`);
    for (const line of notRequeued) print(line);
    if (requeued.length === 0) print(opts.all ? 'No failed or parked submissions: nothing to retry.' : 'Nothing re-queued.');
    else print(`${requeued.length} submission${requeued.length === 1 ? '' : 's'} will be retried by the next run.`);
    return ExitCode.ok;
  } finally {
    await tracker.close();
  }
}
