// Registration in the SQLite tracker: fetched source rows become seen rows and pending
// submissions, and the cursor moves forward, a whole page of rows in one committed transaction.
// All of it happens before any create call for those rows, so one commit for the page instead
// of one per row changes what a crash can leave only in size: the page is there, or none of it.
import type { RowPosition } from '../postgres/source.js';
import { cursorMovesTo } from '../postgres/order.js';
import { prepared, type SqliteDatabase } from './sqlite.js';
import type { Registration } from './store.js';

export function readCursor(db: SqliteDatabase): RowPosition | null {
  const r = prepared(db, 'SELECT source_ts, source_id FROM cursor WHERE id = 1').get() as { source_ts: string; source_id: string } | undefined;
  return r ? { sourceTs: r.source_ts, sourceId: r.source_id } : null;
}

/** Each row's answer, in order: 'new' when its key was unknown (a pending submission now exists),
 *  'known' when the same content was already tracked (under any source id). */
export function registerRows(db: SqliteDatabase, now: string, rows: Registration[], runId: string): ('new' | 'known')[] {
  const seen = prepared(db, 'INSERT OR IGNORE INTO source_rows (source_id, source_ts, key, seen_at) VALUES (?, ?, ?, ?)');
  const submission = prepared(
    db,
    `INSERT OR IGNORE INTO submissions (key, source_id, source_ts, payload, state, run_id, verify_first, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)`,
  );
  return db.transaction(() => {
    let cursor = readCursor(db);
    let moved = false;
    const answers = rows.map((r): 'new' | 'known' => {
      const { pos, key } = r;
      seen.run(pos.sourceId, pos.sourceTs, key, now);
      const inserted = submission.run(key, pos.sourceId, pos.sourceTs, JSON.stringify(r.payload), runId, r.verifyFirst ? 1 : 0, now, now);
      if (cursorMovesTo(pos, cursor)) {
        cursor = { sourceTs: pos.sourceTs, sourceId: pos.sourceId };
        moved = true;
      }
      return inserted.changes === 1 ? 'new' : 'known';
    });
    if (moved && cursor) {
      prepared(
        db,
        `INSERT INTO cursor (id, source_ts, source_id, updated_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET source_ts = excluded.source_ts, source_id = excluded.source_id, updated_at = excluded.updated_at`,
      ).run(cursor.sourceTs, cursor.sourceId, now);
    }
    return answers;
  })();
}
