// The write-back phase (WRITEBACK_TABLE), after a run's batch or alone (`jira-sync pull`):
//   1. make sure the table exists (made anew, or `--full`: every kept row is written again, as
//      the table may have lost rows); write the rows still pending (this run's new tickets, from
//      their create answers, and any an earlier run could not write);
//   2. read tickets the tracker has no row for yet (by key);
//   3. pull what changed in Jira since the checkpoint, minus PULL_SKEW_MINUTES, with the JQL
//      date in the Jira account's time zone (`--full`, or a first pull with no time to start
//      from: every ticket, by key, marking deleted ones);
//   4. write the rows that changed; only then move the checkpoint, to the later of the newest
//      `updated` seen and Jira's time when the search began (its answer's Date header), so a
//      quiet run moves it on and the next one reads only the skew window, not an old burst again.
//      Never backwards; the skew still covers a change the search index had not caught up with.
// Jira failing leaves the checkpoint where it was (the next run catches up from it); PostgreSQL
// failing stops with exit 3, and the tracker still holds every row not yet written.
import type { Logger } from 'pino';
import { JiraCallError } from '../adapters/jira/errors.js';
import type { JiraGateway } from '../adapters/jira/gateway.js';
import { JiraIssueChanges } from '../adapters/jira/issueChanges.js';
import { WritebackTable } from '../adapters/postgres/writebackTable.js';
import type { TrackerStore } from '../adapters/tracker/store.js';
import { laterOf, type PullState, type TicketOwner } from '../adapters/tracker/writeback.js';
import type { ResolvedConfig } from '../config.js';
import { errorMessage } from '../errors.js';
import { pullByKey, pullChangedSince, SEARCH_PAGE, type PullContext } from '../steps/pullTickets.js';
import { writeBackRows } from '../steps/writeBackRows.js';

export interface WritebackDeps {
  tracker: TrackerStore;
  jira: JiraGateway;
  now: () => Date;
  log: (module: string) => Logger;
}

export interface PullReport {
  ok: boolean;
  full: boolean;
  /** Jira calls the pull made. */
  calls: number;
  /** Rows of the write-back table that changed. */
  changed: number;
  checkpoint: string | null;
  error: string | null;
}

/** Reads pages of owners from `next` and pulls each by key; returns the pull's calls and newest `updated`. */
async function byKeyPages(ctx: PullContext, next: (after: string | null) => Promise<TicketOwner[]>): Promise<{ calls: number; newest: string | null; deleted: number }> {
  const out = { calls: 0, newest: null as string | null, deleted: 0 };
  for (let after: string | null = null; ; ) {
    const owners = await next(after);
    if (owners.length === 0) return out;
    const r = await pullByKey(ctx, owners);
    out.calls += r.calls;
    out.deleted += r.deleted;
    if (r.newest !== null && (out.newest === null || r.newest > out.newest)) out.newest = r.newest;
    after = owners[owners.length - 1]?.submissionKey ?? null;
  }
}

/** Steps 2 and 3; returns the calls made and where the checkpoint may move to. */
async function pull(ctx: PullContext, state: PullState, config: ResolvedConfig, full: boolean, log: Logger): Promise<{ calls: number; advance: string | null }> {
  const store = ctx.store;
  if (full) {
    const r = await byKeyPages(ctx, (after) => store.ticketPage(after, SEARCH_PAGE));
    if (r.deleted > 0) log.info({ deleted: r.deleted }, 'tickets no longer in Jira marked deleted');
    // Every ticket of ours was read: the checkpoint may move to the newest seen.
    return { calls: r.calls, advance: r.newest };
  }
  // Tickets with no row yet (made before WRITEBACK_TABLE was set, or adopted after a lost answer).
  const backfill = await byKeyPages(ctx, (after) => store.ticketsWithoutSnapshot(after, SEARCH_PAGE));
  // A first pull starts from the oldest row kept; later ones from the checkpoint.
  const from = state.checkpoint ?? (await store.oldestSnapshotUpdate());
  if (from === null) {
    // A first pull whose rows have their keys only (issue mode: the create answer has no status
    // nor times), so there is no time to search from: read them all by key, as --full does.
    const all = await byKeyPages(ctx, (after) => store.ticketPage(after, SEARCH_PAGE));
    return { calls: backfill.calls + all.calls, advance: all.newest };
  }
  const projects = await store.ticketProjects();
  if (projects.length === 0) return { calls: backfill.calls, advance: null };
  const timeZone = (await ctx.changes.accountTimeZone()) ?? 'UTC';
  const fromMs = Date.parse(from) - config.pullSkewMinutes * 60_000;
  const r = await pullChangedSince(ctx, projects, fromMs, timeZone);
  log.info({ from, timeZone, calls: r.calls, kept: r.kept }, 'pulled changes from Jira');
  // Tickets read by key say nothing of the others: only the search moves the checkpoint, to what
  // it saw or to Jira's clock when it began, whichever is later (anything older than that minus
  // the skew that the index had not shown yet is the index lagging more than the skew).
  return { calls: backfill.calls + 1 + r.calls, advance: laterOf(r.newest, r.serverTime) };
}

export async function writeBack(deps: WritebackDeps, config: ResolvedConfig, opts: { full: boolean }): Promise<PullReport> {
  const log = deps.log('writeback');
  const store = deps.tracker.writeback;
  let table: WritebackTable | null = null;
  const ctx: PullContext = { changes: new JiraIssueChanges(deps.jira.customerClients()), store, baseUrl: config.jiraBaseUrl, now: deps.now };
  let changed = 0;
  try {
    table = await WritebackTable.connect(config.databaseUrl, config.writebackTable ?? '');
    // A table made anew (dropped, or WRITEBACK_TABLE renamed) or one that may have lost rows
    // (--full: emptied, restored) gets every kept row again; unchanged ones are not rewritten.
    if ((await table.ensure()) || opts.full) await store.rewriteAll();
    changed += await writeBackRows(store, table, deps.now);
    const before = await store.pullState();
    let pulled: { calls: number; advance: string | null };
    try {
      pulled = await pull(ctx, before, config, opts.full, log);
    } catch (err) {
      if (!(err instanceof JiraCallError)) throw err;
      // The create phase is done and kept; the next run searches again from the same checkpoint.
      const error = errorMessage(err);
      log.error({ err: error }, 'pull failed: the checkpoint stays, the next run catches up');
      changed += await writeBackRows(store, table, deps.now);
      await store.recordPull({ at: deps.now(), ok: false, checkpoint: null, changed, error });
      return { ok: false, full: opts.full, calls: 0, changed, checkpoint: before.checkpoint, error };
    }
    changed += await writeBackRows(store, table, deps.now);
    // Only now, with the rows committed, does the checkpoint move.
    await store.recordPull({ at: deps.now(), ok: true, checkpoint: pulled.advance, changed, error: null });
    const after = await store.pullState();
    log.info({ changed, calls: pulled.calls, checkpoint: after.checkpoint }, 'write-back done');
    return { ok: true, full: opts.full, calls: pulled.calls, changed, checkpoint: after.checkpoint, error: null };
  } catch (err) {
    // PostgreSQL (or the tracker) failed: say so in the pull's record if the tracker still answers.
    await store.recordPull({ at: deps.now(), ok: false, checkpoint: null, changed, error: errorMessage(err) }).catch(() => undefined);
    throw err;
  } finally {
    await table?.close();
  }
}

/** The pull in a run's summary line. */
export function pullSummary(p: PullReport): string {
  if (!p.ok) return `pull failed (${p.error ?? 'unknown'}), checkpoint kept`;
  return `pull${p.full ? ' --full' : ''}: ${p.changed} row${p.changed === 1 ? '' : 's'} changed, ${p.calls} Jira call${p.calls === 1 ? '' : 's'}`;
}
