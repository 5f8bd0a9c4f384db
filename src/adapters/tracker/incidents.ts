// The alert incidents the tracker remembers (alerts/incidents.ts plans them): which problems are
// open and whether a person was told, so an outage alerts once, not on every run. Also the two
// questions about submissions the alert plan asks the tracker.
import type Database from 'better-sqlite3';

export interface Incident {
  fingerprint: string;
  title: string;
  detail: string;
  firstSeen: string;
  lastSeen: string;
  runs: number;
  /** When the "opened" alert got out; NO_CHANNEL; or null while a configured channel has not delivered it. */
  alertedAt: string | null;
}

interface Row {
  fingerprint: string;
  title: string | null;
  detail: string | null;
  first_seen: string | null;
  last_seen: string | null;
  runs: number | null;
  alerted_at: string | null;
}

/** The open incidents, oldest first (the table is made by the tracker's migrations). */
export function loadOpenIncidents(db: Database.Database): Incident[] {
  const rows = db.prepare('SELECT * FROM alert_incidents ORDER BY first_seen, fingerprint').all() as Row[];
  return rows.map((r) => ({
    fingerprint: r.fingerprint,
    title: r.title ?? r.fingerprint,
    detail: r.detail ?? '',
    firstSeen: r.first_seen ?? new Date(0).toISOString(),
    lastSeen: r.last_seen ?? r.first_seen ?? new Date(0).toISOString(),
    runs: r.runs ?? 1,
    alertedAt: r.alerted_at,
  }));
}

/** One transaction: a crash leaves either the old or the new state, never half of each. */
export function saveIncidentPlan(db: Database.Database, plan: { upsert: Incident[]; close: Incident[] }): void {
  const upsert = db.prepare(
    `INSERT INTO alert_incidents (fingerprint, title, detail, first_seen, last_seen, runs, alerted_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (fingerprint) DO UPDATE SET title = excluded.title, detail = excluded.detail, last_seen = excluded.last_seen,
       runs = excluded.runs, alerted_at = excluded.alerted_at`,
  );
  const remove = db.prepare('DELETE FROM alert_incidents WHERE fingerprint = ?');
  db.transaction(() => {
    for (const i of plan.upsert) upsert.run(i.fingerprint, i.title, i.detail, i.firstSeen, i.lastSeen, i.runs, i.alertedAt);
    for (const i of plan.close) remove.run(i.fingerprint);
  })();
}

/** Called after delivery, so a crash in between means one repeated alert rather than a lost one. */
export function markAlerted(db: Database.Database, fingerprints: string[], at: Date): void {
  const stmt = db.prepare('UPDATE alert_incidents SET alerted_at = ? WHERE fingerprint = ? AND alerted_at IS NULL');
  db.transaction(() => {
    for (const f of fingerprints) stmt.run(at.toISOString(), f);
  })();
}

/** Failed and parked submissions in the tracker, or undefined without a `submissions` table. */
export function unresolvedSubmissions(db: Database.Database): { failed: number; parked: number } | undefined {
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'submissions'`).get() !== undefined;
  if (!hasTable) return undefined;
  const rows = db.prepare(`SELECT state, count(*) AS n FROM submissions WHERE state IN ('failed', 'parked') GROUP BY state`).all() as { state: string; n: number }[];
  const n = (state: string) => rows.find((r) => r.state === state)?.n ?? 0;
  return { failed: n('failed'), parked: n('parked') };
}

/** Reads the tracker's `submissions` table when there is one (there is not in a bare test db). */
export function parkedLookup(db: Database.Database): (key: string) => boolean | undefined {
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'submissions'`).get() !== undefined;
  if (!hasTable) return () => undefined;
  const stmt = db.prepare('SELECT state FROM submissions WHERE key = ?');
  return (key) => (stmt.get(key) as { state: string } | undefined)?.state === 'parked';
}
