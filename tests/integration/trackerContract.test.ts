// The tracker contract: the same cases against every store (tests/support/trackerStores.ts).
// What the rest of the program relies on: claims are conditional and exactly one of two racing
// claimers wins; every transition is conditional on the state it leaves; re-queueing; the
// cursor only moves forward, in time order; seen rows; a page registered at once; due
// submissions read a page at a time; runs and counts; alert incidents.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TrackerStore } from '../../src/adapters/tracker/store.js';
import { postgresStore, sqliteStore, type StoreFactory, type StoreFixture } from '../support/trackerStores.js';

const T0 = Date.parse('2026-11-23T09:00:00.000Z');
const pgStore = postgresStore();
const stores: StoreFactory[] = [sqliteStore, pgStore];
afterAll(() => pgStore.close());

for (const factory of stores) {
  describe(`tracker contract: ${factory.name}`, () => {
    let clock = T0;
    const now = () => new Date(clock);
    let fx: StoreFixture | null = null;
    const open = async (): Promise<TrackerStore> => {
      clock = T0;
      fx = await factory.open(now);
      return fx.store;
    };
    afterEach(async () => {
      await fx?.dispose();
      fx = null;
    });
    let seq = 0;
    const register = async (t: TrackerStore, opts: { ts?: string; verifyFirst?: boolean } = {}): Promise<string> => {
      seq += 1;
      const key = seq.toString(16).padStart(10, '0').padEnd(64, 'e');
      const ts = opts.ts ?? `2026-11-23T08:00:${String(seq % 60).padStart(2, '0')}.000000Z`;
      expect(await t.register({ sourceId: String(seq), sourceTs: ts }, key, { id: seq }, 'run-0', opts.verifyFirst)).toBe('new');
      return key;
    };

    it('registers a row once: the same key again is known, and the source ids are seen', async () => {
      const t = await open();
      const key = await register(t);
      const sub = await t.get(key);
      expect(sub).toMatchObject({ state: 'pending', attempts: 0, payload: { id: seq } });
      expect(await t.register({ sourceId: 'other', sourceTs: '2026-11-23T08:30:00.000000Z' }, key, { id: 0 }, 'run-1')).toBe('known');
      expect([...(await t.seenSourceIds([String(seq), 'other', 'never']))].sort()).toEqual([String(seq), 'other']);
      expect(await t.unseenSourceIds(JSON.stringify([String(seq), 'never']))).toEqual(['never']);
      expect((await t.findBySourceId('other'))?.key).toBe(key);
      expect(await t.get('missing')).toBeUndefined();
    });

    it('moves the cursor only forward, in time order, and never to a row dated ahead', async () => {
      const t = await open();
      expect(await t.getCursor()).toBeNull();
      await t.register({ sourceId: '9', sourceTs: '2026-12-01T00:00:00.000000Z' }, 'a'.repeat(64), {}, 'r');
      await t.register({ sourceId: '10', sourceTs: '2026-12-01T00:00:00.000000Z' }, 'b'.repeat(64), {}, 'r');
      expect(await t.getCursor()).toEqual({ sourceId: '10', sourceTs: '2026-12-01T00:00:00.000000Z' });
      // Earlier in time (though later as text): the cursor stays.
      await t.register({ sourceId: '11', sourceTs: '2026-11-30 23:00:00+00' }, 'c'.repeat(64), {}, 'r');
      expect((await t.getCursor())?.sourceId).toBe('10');
      await t.register({ sourceId: '12', sourceTs: '2099-01-01T00:00:00.000000Z', ahead: true }, 'd'.repeat(64), {}, 'r');
      expect((await t.getCursor())?.sourceId).toBe('10');
      expect((await t.cursorPosition())?.sourceId).toBe('10');
    });

    it('lets exactly one of two racing claimers win, on separate connections', async () => {
      const a = await open();
      const b = await (fx as StoreFixture).another();
      const keys: string[] = [];
      for (let i = 0; i < 10; i++) keys.push(await register(a));
      for (const key of keys) {
        const [wa, wb] = await Promise.all([a.claimForCreate(key, 'run-a', { by: 'a' }), b.claimForCreate(key, 'run-b', { by: 'b' })]);
        expect(Number(wa) + Number(wb), key).toBe(1);
        const sub = await b.get(key);
        expect(sub).toMatchObject({ state: 'creating', attempts: 1, runId: wa ? 'run-a' : 'run-b', payload: { by: wa ? 'a' : 'b' } });
      }
    });

    it('makes every transition conditional on the state it leaves', async () => {
      const t = await open();
      const key = await register(t);
      expect(await t.markCreated(key, 'JSM-1', '10001', 'created')).toBe(false); // not claimed
      expect(await t.markDone(key, 'created')).toBe(false);
      expect(await t.claimRecovery(key, 'run-1')).toBe(false); // not verify-first
      expect(await t.claimForCreate(key, 'run-1')).toBe(true);
      expect(await t.claimForCreate(key, 'run-2')).toBe(false);
      expect(await t.markAttached(key)).toBe(false);
      expect(await t.markCreated(key, 'JSM-1', '10001', 'created')).toBe(true);
      expect(await t.markCreated(key, 'JSM-2', '10002', 'created')).toBe(false);
      expect(await t.markAttached(key)).toBe(true);
      expect(await t.markDone(key, 'created')).toBe(true);
      expect(await t.get(key)).toMatchObject({ state: 'done', ticketKey: 'JSM-1', lastOutcome: 'created' });
      expect(await t.countsByState()).toMatchObject({ done: 1, pending: 0 });
    });

    it('registers a page in one commit: answers in order, a repeat inside the page known, the cursor at the page\'s latest row', async () => {
      const t = await open();
      const at = (m: number) => `2026-12-01T00:0${m}:00.000000Z`;
      const answers = await t.registerAll(
        [
          { pos: { sourceId: '21', sourceTs: at(2) }, key: 'p'.repeat(64), payload: { id: 21 } },
          { pos: { sourceId: '22', sourceTs: at(3) }, key: 'q'.repeat(64), payload: { id: 22 }, verifyFirst: true },
          { pos: { sourceId: '23', sourceTs: at(1) }, key: 'p'.repeat(64), payload: { id: 23 } },
          { pos: { sourceId: '24', sourceTs: '2099-01-01T00:00:00.000000Z', ahead: true }, key: 'r'.repeat(64), payload: { id: 24 } },
        ],
        'run-1',
      );
      expect(answers).toEqual(['new', 'new', 'known', 'new']);
      expect(await t.getCursor()).toEqual({ sourceId: '22', sourceTs: at(3) });
      expect([...(await t.seenSourceIds(['21', '22', '23', '24']))].sort()).toEqual(['21', '22', '23', '24']);
      expect(await t.get('q'.repeat(64))).toMatchObject({ state: 'pending', verifyFirst: true, runId: 'run-1', payload: { id: 22 } });
      expect(await t.registerAll([], 'run-1')).toEqual([]);
      // An earlier page never moves the cursor back.
      expect(await t.registerAll([{ pos: { sourceId: '25', sourceTs: at(0) }, key: 's'.repeat(64), payload: {} }], 'run-2')).toEqual(['new']);
      expect((await t.getCursor())?.sourceId).toBe('22');
    });

    it('records attached and done in one commit, only from created (or failed with a ticket), counted in its run', async () => {
      const t = await open();
      await t.startRun('run-1', new Date(T0));
      const key = await register(t);
      expect(await t.markAttachedAndDone(key, 'created')).toBe(false); // pending: no ticket
      await t.claimForCreate(key, 'run-1');
      expect(await t.markAttachedAndDone(key, 'created')).toBe(false); // creating: no ticket yet
      await t.markCreated(key, 'JSM-7', '10007', 'created');
      expect(await t.markAttachedAndDone(key, 'created')).toBe(true);
      expect(await t.markAttachedAndDone(key, 'created')).toBe(false); // done already
      expect(await t.get(key)).toMatchObject({ state: 'done', ticketKey: 'JSM-7', lastOutcome: 'created', lastError: null });
      expect((await t.recentRuns(1))[0]).toMatchObject({ runId: 'run-1', created: 1 });
    });

    it('reads due submissions a page at a time, in order, each page after the last one', async () => {
      const t = await open();
      const ts = '2026-11-23T07:00:00.000000Z';
      // Ids as text, in numeric order (9 before 10), and one earlier in time.
      const keys: string[] = [];
      for (const [id, at] of [['10', ts], ['9', ts], ['100', ts], ['1', '2026-11-23T06:00:00.000000Z']] as const) {
        keys.push(id.padStart(64, 'd'));
        await t.register({ sourceId: id, sourceTs: at }, id.padStart(64, 'd'), {}, 'run-0');
      }
      const first = await t.dueForWork(2);
      expect(first.map((s) => s.sourceId)).toEqual(['1', '9']);
      const last = first[1]!;
      const second = await t.dueForWork(2, { sourceTs: last.sourceTs, sourceId: last.sourceId });
      expect(second.map((s) => s.sourceId)).toEqual(['10', '100']);
      expect(await t.dueForWork(2, { sourceTs: ts, sourceId: '100' })).toEqual([]);
      expect((await t.dueForWork(10)).map((s) => s.sourceId)).toEqual(['1', '9', '10', '100']);
    });

    it('takes over only from the run it saw, and releases a claim that never reached Jira', async () => {
      const t = await open();
      const key = await register(t);
      await t.claimForCreate(key, 'run-1');
      expect(await t.takeOver(key, 'creating', 'run-other', 'run-2')).toBe(false);
      expect(await t.takeOver(key, 'creating', 'run-1', 'run-2')).toBe(true);
      await t.releaseClaim(key, 'connection refused');
      expect(await t.get(key)).toMatchObject({ state: 'pending', attempts: 0, lastError: 'connection refused' });
    });

    it('keeps the retry schedule: due again only when its time comes, parked when attempts are spent', async () => {
      const t = await open();
      const key = await register(t);
      await t.claimForCreate(key, 'run-1');
      const first = await t.fail(key, 'failed:jira-rejected', 'no', { maxAttempts: 2, countAttempt: false, fallbackAttempts: 0 });
      expect(first.attempts).toBe(1);
      expect(first.nextAttemptAt?.getTime()).toBe(T0 + 15 * 60_000);
      expect(await t.dueForWork(10)).toEqual([]);
      clock = T0 + 16 * 60_000;
      expect((await t.dueForWork(10)).map((s) => s.key)).toEqual([key]);
      await t.claimForCreate(key, 'run-2');
      const second = await t.fail(key, 'failed:jira-rejected', 'no', { maxAttempts: 2, countAttempt: false, fallbackAttempts: 0 });
      expect(second).toEqual({ nextAttemptAt: null, attempts: 2 });
      expect(await t.get(key)).toMatchObject({ state: 'parked', lastError: 'no' });
      expect(await t.unresolvedSubmissions()).toEqual({ failed: 0, parked: 1 });
      expect((await t.problemSubmissions()).map((p) => p.key)).toEqual([key]);
    });

    it('re-queues failed and parked submissions by key, key prefix or source id, and nothing else', async () => {
      const t = await open();
      const parked = await register(t);
      await t.park(parked, 'parked:row-gone', 'gone');
      const pending = await register(t);
      const { found, problems } = await t.resolveSelectors([String(seq - 1), pending.slice(0, 10), 'nope']);
      expect(found.map((f) => f.key)).toEqual([parked, pending]);
      expect(problems).toHaveLength(1);
      expect((await t.requeue('all', now())).map((r) => r.key)).toEqual([parked]);
      expect(await t.get(parked)).toMatchObject({ state: 'failed', attempts: 0, lastOutcome: 'requeued', nextAttemptAt: null });
      expect(await t.requeue([pending], now())).toEqual([]);
    });

    it('settles a verify-first submission only through a marker search', async () => {
      const t = await open();
      const key = await register(t, { verifyFirst: true });
      expect(await t.claimForCreate(key, 'run-1')).toBe(false);
      expect(await t.claimRecovery(key, 'run-1')).toBe(true);
      const sub = await t.get(key);
      expect(await t.deferRecovery(key, 'not-the-attempt', new Date(T0 + 60_000))).toBe(false);
      expect(await t.deferRecovery(key, sub?.attemptStartedAt ?? null, new Date(T0 + 60_000))).toBe(true);
      const failed = await t.searchFailed(key, sub?.attemptStartedAt ?? null, 'search 503', { maxAttempts: 3, fallbackAttempts: 0 });
      expect(failed?.attempts).toBe(1);
      expect(await t.get(key)).toMatchObject({ state: 'failed', verifyFirst: true, lastOutcome: 'failed:search' });
      expect(await t.reclaimCreating(key, null, 'run-2')).toBe(false);
    });

    it('records runs with their progress and end, newest first, and knows a finished run is not alive', async () => {
      const t = await open();
      await t.startRun('run-1', new Date(T0));
      expect(await t.isRunAlive('run-1', new Date(T0))).toBe(true);
      await t.recordRunProgress('run-1', { created: 2, skipped: 1, failed: 0, parked: 0 });
      await t.finishRun('run-1', new Date(T0 + 1000), { created: 3, skipped: 1, failed: 1, parked: 0 }, 1, 'one failed');
      await t.startRun('run-2', new Date(T0 + 2000));
      const runs = await t.recentRuns(10);
      expect(runs.map((r) => r.runId)).toEqual(['run-2', 'run-1']);
      expect(runs[1]).toMatchObject({ created: 3, skipped: 1, failed: 1, exitCode: 1, note: 'one failed', endedAt: new Date(T0 + 1000).toISOString() });
      expect(await t.isRunAlive('run-1', new Date(T0))).toBe(false);
      expect(await t.isRunAlive(null, new Date(T0))).toBe(false);
    });

    it('keeps audits and says when the daily one is due', async () => {
      const t = await open();
      expect(await t.auditDue(new Date(T0))).toBe(true);
      await t.recordAudit({ runId: 'r', startedAt: new Date(T0).toISOString(), endedAt: new Date(T0).toISOString(), trigger: 'daily', scanned: 5, missing: 1, registered: 1, missingIds: ['7'] });
      expect(await t.lastAudit()).toMatchObject({ scanned: 5, missingIds: ['7'], trigger: 'daily' });
      expect(await t.auditDue(new Date(T0 + 3_600_000))).toBe(false);
      expect(await t.auditDue(new Date(T0 + 24 * 3_600_000))).toBe(true);
    });

    it('keeps alert incidents: saved, marked alerted once, closed, and knows which keys are parked', async () => {
      const t = await open();
      const at = new Date(T0).toISOString();
      const inc = { fingerprint: 'jira-down', title: 'Jira down', detail: 'HTTP 503', firstSeen: at, lastSeen: at, runs: 1, alertedAt: null };
      await t.saveIncidentPlan({ upsert: [inc], close: [] });
      await t.markAlerted(['jira-down'], new Date(T0 + 1000));
      await t.markAlerted(['jira-down'], new Date(T0 + 2000));
      expect(await t.loadOpenIncidents()).toEqual([{ ...inc, alertedAt: new Date(T0 + 1000).toISOString() }]);
      await t.saveIncidentPlan({ upsert: [], close: [inc] });
      expect(await t.loadOpenIncidents()).toEqual([]);
      const key = await register(t);
      await t.park(key, 'parked:row-gone', 'gone');
      expect(await t.parkedKeys([key, 'unknown'])).toEqual(new Set([key]));
    });
  });
}
