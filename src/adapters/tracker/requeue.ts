// `jira-sync retry`: which submissions a person named, and putting failed or parked ones back
// in the queue, due at once. Naming is strict: an id or key that matches nothing, or a key
// prefix that could mean several submissions, is refused before anything changes.
import type Database from 'better-sqlite3';
import type { SubmissionState } from './submission.js';

export interface NamedSubmission {
  key: string;
  sourceId: string;
  state: SubmissionState;
  ticketKey: string | null;
}

/** Shortest key prefix accepted: shorter ones are too likely to name the wrong submission. */
export const MIN_KEY_PREFIX = 8;

export type Found = { key: string; source_id: string; state: SubmissionState; ticket_key: string | null };
export const named = (r: Found): NamedSubmission => ({ key: r.key, sourceId: r.source_id, state: r.state, ticketKey: r.ticket_key });

/** Each selector (a source id, a key, or the first 8+ characters of a key) resolved to one
 *  submission, or the problems with those that cannot be, all at once. */
export function resolveSelectors(db: Database.Database, selectors: string[]): Promise<{ found: NamedSubmission[]; problems: string[] }> {
  const cols = 's.key, s.source_id, s.state, s.ticket_key';
  // A source id skipped as a repeat of another submission's content names that submission.
  const bySourceId = db.prepare(`SELECT ${cols} FROM source_rows r JOIN submissions s ON s.key = r.key WHERE r.source_id = ?`);
  // Keys are lowercase hex, so [prefix, prefix + 'g') is exactly the keys starting with it (and uses the primary key).
  const byPrefix = db.prepare(`SELECT ${cols} FROM submissions s WHERE s.key >= ? AND s.key < ? ORDER BY s.key LIMIT 6`);
  return resolveSelectorsWith(
    { bySourceId: async (id) => bySourceId.get(id) as Found | undefined, byPrefix: async (lo, hi) => byPrefix.all(lo, hi) as Found[] },
    selectors,
  );
}

/** The lookups a store gives resolveSelectorsWith: by source id, and up to 6 keys in [lo, hi). */
export interface SelectorLookups {
  bySourceId(id: string): Promise<Found | undefined>;
  byPrefix(lo: string, hi: string): Promise<Found[]>;
}

export async function resolveSelectorsWith(lookups: SelectorLookups, selectors: string[]): Promise<{ found: NamedSubmission[]; problems: string[] }> {
  const found = new Map<string, NamedSubmission>();
  const problems: string[] = [];
  for (const sel of selectors) {
    const bySource = await lookups.bySourceId(sel);
    if (bySource) {
      found.set(bySource.key, named(bySource));
      continue;
    }
    const prefix = sel.toLowerCase();
    const hits = /^[0-9a-f]+$/.test(prefix) ? await lookups.byPrefix(prefix, `${prefix}g`) : [];
    const exact = hits.find((h) => h.key === prefix);
    if (exact) found.set(exact.key, named(exact));
    else if (hits.length === 0) problems.push(`"${sel}" matches no submission: it is neither a source id nor a key in the tracker (see \`jira-sync status\`)`);
    else if (prefix.length < MIN_KEY_PREFIX) {
      problems.push(`"${sel}" is too short to be unique as a key prefix: give at least ${MIN_KEY_PREFIX} characters of the key, or the source id`);
    } else if (hits.length > 1) {
      const more = hits.length > 5 ? ', …' : '';
      problems.push(`key prefix "${sel}" matches ${hits.length > 5 ? 'more than 5' : hits.length} submissions (source ids ${hits.slice(0, 5).map((h) => h.source_id).join(', ')}${more}): give more characters of the key, or the source id`);
    } else found.set((hits[0] as Found).key, named(hits[0] as Found));
  }
  return { found: [...found.values()], problems };
}

/** Failed and parked submissions back in the queue: due at once, with a fresh attempt count. A
 *  submission that must be searched for first (verify_first) keeps that flag and the time of its
 *  last create call, so it is searched for before anything is created. */
export function requeue(db: Database.Database, keys: string[] | 'all', now: Date): NamedSubmission[] {
  return db.transaction(() => {
    const candidates =
      keys === 'all'
        ? (db.prepare(`SELECT key, source_id, state, ticket_key FROM submissions WHERE state IN ('failed','parked') ORDER BY source_ts, length(source_id), source_id`).all() as Found[])
        : keys.map((k) => db.prepare('SELECT key, source_id, state, ticket_key FROM submissions WHERE key = ?').get(k) as Found | undefined).filter((f): f is Found => f !== undefined);
    const update = db.prepare(
      `UPDATE submissions SET state = 'failed', attempts = 0, next_attempt_at = NULL, last_outcome = 'requeued', updated_at = ?
        WHERE key = ? AND state IN ('failed','parked')`,
    );
    return candidates.filter((c) => update.run(now.toISOString(), c.key).changes === 1).map(named);
  })();
}
