// Texts an earlier version stored unredacted are redacted once per tracker, not on every run: the
// pass reads every stored text, about a second on a million-row tracker. It runs again only when
// the record says it was done with other rules or fewer secrets.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REDACTION_RULES, redactStoredTextsOnce } from '../../src/adapters/tracker/redactStored.js';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import type { SqliteDatabase } from '../../src/adapters/tracker/sqlite.js';
import { makeRedactor } from '../../src/logging/index.js';
import { tempDirs } from '../support/tempDirs.js';

const newDir = tempDirs('jira-sync-redact-once-');
const TOKEN = 'tok-9f8e7d6c5b4a39281706';
const PASSWORD = 'pw-5a4b3c2d1e0f9a8b';

function tracker(): SqliteDatabase {
  return openTrackerDb(path.join(newDir(), 'tracker.db'));
}

function storeText(db: SqliteDatabase, key: string, text: string): void {
  const at = new Date().toISOString();
  db.prepare(
    `INSERT INTO submissions (key, source_id, source_ts, payload, state, last_error, created_at, updated_at) VALUES (?, ?, ?, '{}', 'failed', ?, ?, ?)`,
  ).run(key, key, at, text, at, at);
}

const textOf = (db: SqliteDatabase, key: string) => (db.prepare('SELECT last_error AS t FROM submissions WHERE key = ?').get(key) as { t: string }).t;

function once(db: SqliteDatabase, secrets: string[]): number | null {
  return redactStoredTextsOnce(db, secrets, makeRedactor(secrets));
}

describe('redactStoredTextsOnce', () => {
  it('redacts the texts of a tracker that has no record, then records it and skips the pass on the next open', () => {
    const db = tracker();
    try {
      storeText(db, 'a', `HTTP 401 for token ${TOKEN}`);
      expect(once(db, [TOKEN])).toBe(1);
      expect(textOf(db, 'a')).toBe('HTTP 401 for token [REDACTED]');
      expect(db.prepare('SELECT rules, secret_count AS n FROM redaction_pass').get()).toEqual({ rules: REDACTION_RULES, n: 1 });

      // Stored behind the pass's back: the next open does not read the stored texts again.
      storeText(db, 'b', `HTTP 401 for token ${TOKEN}`);
      expect(once(db, [TOKEN])).toBeNull();
      expect(textOf(db, 'b')).toContain(TOKEN);
    } finally {
      db.close();
    }
  });

  it('runs again when a secret is added to the configuration, and only then', () => {
    const db = tracker();
    try {
      expect(once(db, [TOKEN])).toBe(0);
      storeText(db, 'a', `connect failed: password ${PASSWORD} refused`);
      expect(once(db, [TOKEN, PASSWORD])).toBe(1);
      expect(textOf(db, 'a')).toBe('connect failed: password [REDACTED] refused');
      // The same value twice, or blank, is not another secret.
      storeText(db, 'b', `token ${TOKEN}`);
      expect(once(db, [PASSWORD, TOKEN, TOKEN, ' '])).toBeNull();
      expect(textOf(db, 'b')).toContain(TOKEN);
    } finally {
      db.close();
    }
  });

  it('runs again when the record was made under other redaction rules', () => {
    const db = tracker();
    try {
      expect(once(db, [TOKEN])).toBe(0);
      storeText(db, 'a', `token ${TOKEN}`);
      db.prepare('UPDATE redaction_pass SET rules = ?').run(REDACTION_RULES - 1);
      expect(once(db, [TOKEN])).toBe(1);
      expect(textOf(db, 'a')).toBe('token [REDACTED]');
      expect(once(db, [TOKEN])).toBeNull();
    } finally {
      db.close();
    }
  });

  it('waits for a run that writes meanwhile instead of failing with "database is locked" (two runs opening one tracker)', () => {
    const db = tracker();
    const other = openTrackerDb(db.name);
    other.pragma('busy_timeout = 0');
    try {
      storeText(db, 'a', `HTTP 401 for token ${TOKEN}`);
      const redact = makeRedactor([TOKEN]);
      let tried = 0;
      // The other run commits a write while this one is reading the stored texts. With a deferred
      // transaction that write went through and this pass's own first write then failed at once
      // (SQLite cannot move a reader whose snapshot is stale to writing); the pass now holds the
      // write lock from its start, so the other run is the one that waits.
      const changed = redactStoredTextsOnce(db, [TOKEN], Object.assign((s: string) => {
        if (tried++ === 0) {
          try {
            storeText(other, 'b', 'written by the other run');
          } catch (err) {
            expect(String((err as { code?: unknown }).code)).toMatch(/^SQLITE_BUSY/);
          }
        }
        return redact(s);
      }, { mayFind: redact.mayFind }));
      expect(tried).toBeGreaterThan(0);
      expect(changed).toBe(1);
      expect(textOf(db, 'a')).toBe('HTTP 401 for token [REDACTED]');
      // The other run's write goes through once the pass has committed.
      storeText(other, 'c', 'written after the pass');
      expect(textOf(db, 'c')).toBe('written after the pass');
    } finally {
      other.close();
      db.close();
    }
  });
});
