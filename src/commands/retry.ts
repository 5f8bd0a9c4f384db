// `jira-sync retry [--all | <key or source id>...]`: parked submissions back in the queue.
import type { ResolvedConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { requeueParked } from '../adapters/tracker/status.js';
import { makeNow, openTracker } from '../runtime.js';

export function retryCommand(config: ResolvedConfig, opts: { all: boolean; ids: string[] }, print: (line: string) => void): number {
  if (!opts.all && opts.ids.length === 0) throw new ConfigError(['name the submissions to retry (their key or source id), or use --all']);
  const now = makeNow();
  const tracker = openTracker(config, now);
  if (!tracker) return 0;
  try {
    const requeued = requeueParked(tracker.db, opts.all ? 'all' : opts.ids, now());
    if (requeued.length === 0) {
      print(opts.all ? 'No parked submissions.' : `None of ${opts.ids.join(', ')} is parked; nothing re-queued (see \`jira-sync status\`).`);
      return 0;
    }
    for (const r of requeued) print(`re-queued source id ${r.sourceId} (key ${r.key})`);
    print(`${requeued.length} submission${requeued.length === 1 ? '' : 's'} will be retried by the next run.`);
    const missing = opts.all ? [] : opts.ids.filter((id) => !requeued.some((r) => r.key === id || r.sourceId === id || (id.length >= 8 && r.key.startsWith(id))));
    if (missing.length > 0) print(`Not parked, so not re-queued: ${missing.join(', ')}`);
    return 0;
  } finally {
    tracker.close();
  }
}
