// How `jira-sync retry` names submissions, on every tracker store: a source id, a whole key, or
// a key prefix of at least 8 characters (any case), each resolved to exactly one submission, and
// every selector that cannot be is refused with its reason, all at once and before anything
// changes. Then re-queueing by key: only failed and parked submissions, unknown keys ignored.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TrackerStore } from '../../src/adapters/tracker/store.js';
import { postgresStore, sqliteStore, type StoreFactory, type StoreFixture } from '../support/trackerStores.js';

const T0 = Date.parse('2026-11-23T09:00:00.000Z');
const pgStore = postgresStore();
const stores: StoreFactory[] = [sqliteStore, pgStore];
afterAll(() => pgStore.close());

/** A key as the unique key looks (64 lowercase hex characters) that starts with `prefix`. */
const keyWith = (prefix: string, n: number) => `${prefix}${n.toString(16)}`.padEnd(64, '0');

for (const factory of stores) {
  describe(`naming submissions to retry: ${factory.name}`, () => {
    const now = () => new Date(T0);
    let fx: StoreFixture | null = null;
    let t: TrackerStore;
    afterEach(async () => {
      await fx?.dispose();
      fx = null;
    });
    let seq = 0;
    const open = async () => {
      fx = await factory.open(now);
      t = fx.store;
    };
    const register = async (key: string, sourceId: string) => {
      seq += 1;
      await t.register({ sourceId, sourceTs: `2026-11-23T08:${String(seq % 60).padStart(2, '0')}:00.000000Z` }, key, { id: sourceId }, 'run-0');
      return key;
    };

    it('resolves a source id, a whole key, and a prefix of 8 characters in any case', async () => {
      await open();
      const a = await register(keyWith('fedcba98', 1), 'a');
      const b = await register(keyWith('0badcafe', 2), 'b');
      const c = await register(keyWith('12345678', 3), 'c');
      const { found, problems } = await t.resolveSelectors(['a', b, 'FEDCBA98', c.slice(0, 8)]);
      expect(problems).toEqual([]);
      expect(found.map((f) => f.key)).toEqual([a, b, c]);
      expect(found[0]).toEqual({ key: a, sourceId: 'a', state: 'pending', ticketKey: null });
    });

    it('refuses each selector that names nothing, too little, or several submissions, all at once', async () => {
      await open();
      await register(keyWith('fedcba98', 1), 'a');
      for (let i = 0; i < 6; i++) await register(keyWith('abcdef01', i), `six-${i}`);
      for (let i = 0; i < 5; i++) await register(keyWith('abcdef02', i), `five-${i}`);
      for (let i = 0; i < 2; i++) await register(keyWith('abcdef03', i), `two-${i}`);
      const { found, problems } = await t.resolveSelectors(['nope', '0123456789', 'fedcba9', 'abcdef01', 'abcdef02', 'ABCDEF03']);
      expect(found).toEqual([]);
      expect(problems).toEqual([
        '"nope" matches no submission: it is neither a source id nor a key in the tracker (see `jira-sync status`)',
        '"0123456789" matches no submission: it is neither a source id nor a key in the tracker (see `jira-sync status`)',
        '"fedcba9" is too short to be unique as a key prefix: give at least 8 characters of the key, or the source id',
        'key prefix "abcdef01" matches more than 5 submissions (source ids six-0, six-1, six-2, six-3, six-4, …): give more characters of the key, or the source id',
        'key prefix "abcdef02" matches 5 submissions (source ids five-0, five-1, five-2, five-3, five-4): give more characters of the key, or the source id',
        'key prefix "ABCDEF03" matches 2 submissions (source ids two-0, two-1): give more characters of the key, or the source id',
      ]);
    });

    it('re-queues by key only the failed and parked ones, ignoring keys it does not know', async () => {
      await open();
      const parked = await register(keyWith('aaaaaaaa', 1), 'p');
      const failed = await register(keyWith('bbbbbbbb', 2), 'f');
      const pending = await register(keyWith('cccccccc', 3), 'q');
      await t.claimForCreate(parked, 'run-1');
      await t.park(parked, 'parked:row-gone', 'gone');
      await t.claimForCreate(failed, 'run-1');
      await t.fail(failed, 'failed:jira-rejected', 'no', { maxAttempts: 3, countAttempt: false, fallbackAttempts: 0 });
      const requeued = await t.requeue([keyWith('dddddddd', 4), parked, pending, failed], now());
      expect(requeued.map((r) => [r.key, r.state])).toEqual([[parked, 'parked'], [failed, 'failed']]);
      for (const k of [parked, failed]) expect(await t.get(k)).toMatchObject({ state: 'failed', attempts: 0, nextAttemptAt: null, lastOutcome: 'requeued' });
      expect(await t.get(pending)).toMatchObject({ state: 'pending', lastOutcome: null });
      expect((await t.dueForWork(10)).map((s) => s.key).sort()).toEqual([parked, failed, pending].sort());
    });

    it('re-queues a submission that must be searched for first without forgetting that', async () => {
      await open();
      seq += 1;
      const key = keyWith('eeeeeeee', 5);
      await t.register({ sourceId: 'v', sourceTs: '2026-11-23T08:00:00.000000Z' }, key, { id: 'v' }, 'run-0', true);
      expect(await t.claimRecovery(key, 'run-1')).toBe(true);
      expect(await t.searchFailed(key, null, 'search 500', { maxAttempts: 1, fallbackAttempts: 0 })).toEqual({ nextAttemptAt: null, attempts: 1 });
      expect(await t.get(key)).toMatchObject({ state: 'parked', verifyFirst: true });
      expect((await t.requeue([key], now())).map((r) => r.key)).toEqual([key]);
      expect(await t.get(key)).toMatchObject({ state: 'failed', attempts: 0, verifyFirst: true });
      expect(await t.claimForCreate(key, 'run-2')).toBe(false);
      expect(await t.claimRecovery(key, 'run-2')).toBe(true);
    });
  });
}
