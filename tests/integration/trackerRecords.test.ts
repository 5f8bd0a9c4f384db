// What the tracker's transitions write, on every store, beyond the state: the time a failed
// marker search is tried again, a park that spends no attempt, the review flag, the run's count
// kept in the same commit as `done`, progress visible while a run lives, and the cursor's
// edges (a cursor at +infinity left by an older version, a row at the cursor's own position).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/adapters/tracker/sqlite.js';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import type { TrackerStore } from '../../src/adapters/tracker/store.js';
import { Tracker } from '../../src/adapters/tracker/tracker.js';
import { postgresStore, sqliteStore, type StoreFactory, type StoreFixture } from '../support/trackerStores.js';

const T0 = Date.parse('2026-11-23T09:00:00.000Z');
const MIN = 60_000;
const pgStore = postgresStore();
const stores: StoreFactory[] = [sqliteStore, pgStore];
afterAll(() => pgStore.close());

for (const factory of stores) {
  describe(`what the tracker records: ${factory.name}`, () => {
    let clock = T0;
    const now = () => new Date(clock);
    let fx: StoreFixture | null = null;
    let t: TrackerStore;
    afterEach(async () => {
      await fx?.dispose();
      fx = null;
    });
    const open = async () => {
      clock = T0;
      fx = await factory.open(now);
      t = fx.store;
    };
    let seq = 0;
    const register = async (verifyFirst = false): Promise<string> => {
      seq += 1;
      const key = seq.toString(16).padStart(8, '0').padEnd(64, 'f');
      await t.register({ sourceId: String(seq), sourceTs: `2026-11-23T08:00:${String(seq % 60).padStart(2, '0')}.000000Z` }, key, { id: seq }, 'run-0', verifyFirst);
      return key;
    };

    it('a failed marker search is due again at its scheduled time, not at once', async () => {
      await open();
      const key = await register(true);
      expect(await t.claimRecovery(key, 'run-1')).toBe(true);
      const failed = await t.searchFailed(key, null, 'search 503', { maxAttempts: 3, fallbackAttempts: 0 });
      expect(failed).toEqual({ nextAttemptAt: new Date(T0 + 15 * MIN), attempts: 1 });
      expect(await t.get(key)).toMatchObject({ state: 'failed', nextAttemptAt: new Date(T0 + 15 * MIN).toISOString() });
      expect(await t.dueForWork(10)).toEqual([]);
      clock = T0 + 15 * MIN;
      expect((await t.dueForWork(10)).map((s) => s.key)).toEqual([key]);
    });

    it('parking spends no attempt, and the review flag and its note are kept', async () => {
      await open();
      const key = await register();
      expect(await t.get(key)).toMatchObject({ needsReview: false, reviewNote: null });
      await t.claimForCreate(key, 'run-1');
      expect(await t.park(key, 'parked:row-gone', 'row gone')).toBe(true);
      expect(await t.get(key)).toMatchObject({ state: 'parked', attempts: 1, nextAttemptAt: null, lastError: 'row gone' });
      await t.flagForReview(key, 'two tickets: JSM-1, JSM-2');
      expect(await t.get(key)).toMatchObject({ needsReview: true, reviewNote: 'two tickets: JSM-1, JSM-2', state: 'parked' });
    });

    it('counts a submission in its run when it is done, once, and not in a run that has ended', async () => {
      await open();
      await t.startRun('run-1', now());
      const [a, b, c] = [await register(), await register(), await register()];
      for (const k of [a, b, c]) {
        await t.claimForCreate(k, 'run-1');
        await t.markCreated(k, `JSM-${k.slice(0, 8)}`, null, 'created');
      }
      expect(await t.markDone(a, 'created')).toBe(false); // not attached yet
      expect((await t.recentRuns(1))[0]?.created).toBe(0);
      await t.markAttached(a);
      expect(await t.markDone(a, 'created')).toBe(true);
      expect(await t.markDone(a, 'created')).toBe(false);
      expect((await t.recentRuns(1))[0]?.created).toBe(1);
      // Progress is visible while the run lives, and never lowers what markDone counted.
      await t.recordRunProgress('run-1', { created: 0, skipped: 2, failed: 1, parked: 0 });
      expect((await t.recentRuns(1))[0]).toMatchObject({ created: 1, skipped: 2, failed: 1, endedAt: null });
      await t.finishRun('run-1', now(), { created: 1, skipped: 2, failed: 1, parked: 0 }, 1, null);
      await t.markAttached(b);
      expect(await t.markDone(b, 'created')).toBe(true);
      expect((await t.recentRuns(1))[0]?.created).toBe(1);
    });

    it('re-claims a submission left in creating once, for the attempt it saw, and keeps notes without moving it', async () => {
      await open();
      const key = await register();
      await t.claimForCreate(key, 'run-1');
      const seen = (await t.get(key))!;
      clock = T0 + 10 * MIN;
      expect(await t.reclaimCreating(key, seen.attemptStartedAt, 'run-2', { id: 'fresh' })).toBe(true);
      expect(await t.get(key)).toMatchObject({ state: 'creating', attempts: 2, runId: 'run-2', attemptStartedAt: new Date(T0 + 10 * MIN).toISOString(), payload: { id: 'fresh' } });
      expect(await t.reclaimCreating(key, seen.attemptStartedAt, 'run-3')).toBe(false);
      await t.noteError(key, 'failed:jira-unavailable', 'Jira may have created it');
      expect(await t.get(key)).toMatchObject({ state: 'creating', attempts: 2, lastOutcome: 'failed:jira-unavailable', lastError: 'Jira may have created it' });
    });

    it('replaces a cursor left at +infinity by the first finite row, and not by another infinite one', async () => {
      await open();
      await t.register({ sourceId: '5', sourceTs: 'infinity' }, 'a'.repeat(64), {}, 'r');
      expect(await t.getCursor()).toEqual({ sourceId: '5', sourceTs: 'infinity' });
      await t.register({ sourceId: '4', sourceTs: 'infinity' }, 'b'.repeat(64), {}, 'r');
      expect(await t.getCursor()).toEqual({ sourceId: '5', sourceTs: 'infinity' });
      await t.register({ sourceId: '3', sourceTs: '2026-11-23T08:00:00.000000Z' }, 'c'.repeat(64), {}, 'r');
      expect(await t.getCursor()).toEqual({ sourceId: '3', sourceTs: '2026-11-23T08:00:00.000000Z' });
    });

    it('leaves the cursor untouched by a row at its own position', async () => {
      await open();
      const pos = { sourceId: '7', sourceTs: '2026-11-23T08:00:00.000000Z' };
      await t.register(pos, 'a'.repeat(64), {}, 'r');
      clock = T0 + MIN;
      await t.register(pos, 'b'.repeat(64), {}, 'r');
      expect(await t.cursorPosition()).toEqual({ ...pos, updatedAt: new Date(T0).toISOString() });
    });
  });
}

describe('the SQLite tracker itself', () => {
  const dirs: string[] = [];
  const file = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-records-'));
    dirs.push(dir);
    return path.join(dir, 'tracker.db');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const now = () => new Date(T0);

  it('names its file, given or not', async () => {
    const f = file();
    const bare = new Tracker(openTrackerDb(f), now);
    const named = new Tracker(openTrackerDb(f), now, undefined, f);
    expect([bare.describe, named.describe]).toEqual([`SQLite tracker ${f}`, `SQLite tracker ${f}`]);
    await bare.close();
    await named.close();
  });

  it('is closed after close()', async () => {
    const t = new Tracker(openTrackerDb(file()), now);
    await t.close();
    await expect(t.get('k')).rejects.toThrow(/not open/);
  });

  it('cannot tell which keys are parked in a file without a submissions table', async () => {
    const t = new Tracker(openSqlite(file()), now);
    expect(await t.parkedKeys(['k'])).toBeUndefined();
    await t.close();
  });
});
