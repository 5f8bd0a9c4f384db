// The write-back part of the tracker (WritebackStore), the same cases against both stores: a
// snapshot is kept only when newer and different, stays pending until its version is written,
// a deletion is kept once, and the pull's checkpoint only moves forward.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TrackerStore } from '../../src/adapters/tracker/store.js';
import type { WritebackSnapshot } from '../../src/adapters/tracker/writeback.js';
import { postgresStore, sqliteStore, type StoreFactory, type StoreFixture } from '../support/trackerStores.js';

const T0 = Date.parse('2026-11-23T09:00:00.000Z');
const pgStore = postgresStore();
const stores: StoreFactory[] = [sqliteStore, pgStore];
afterAll(() => pgStore.close());

const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function snap(n: number, over: Partial<WritebackSnapshot> = {}): WritebackSnapshot {
  return {
    sourceId: String(n), submissionKey: `key-${n}`, ticketKey: `CP-${n}`, ticketUrl: `https://x/browse/CP-${n}`, portalUrl: null,
    status: 'Waiting for support', statusCategory: 'new', resolution: null, jiraCreatedAt: iso(0), jiraUpdatedAt: iso(0), resolvedAt: null, deletedAt: null,
    ...over,
  };
}

for (const factory of stores) {
  describe(`write-back store: ${factory.name}`, () => {
    let fx: StoreFixture | null = null;
    const open = async (): Promise<TrackerStore> => {
      fx = await factory.open(() => new Date(T0));
      return fx.store;
    };
    afterEach(async () => {
      await fx?.dispose();
      fx = null;
    });
    /** A submission with ticket `ticket` (or none). */
    const withTicket = async (t: TrackerStore, n: number, ticket: string | null) => {
      const key = `key-${n}`;
      await t.register({ sourceId: String(n), sourceTs: `2026-11-23T08:00:${String(n).padStart(2, '0')}.000000Z` }, key, { id: n }, 'run-0');
      if (ticket) {
        expect(await t.claimForCreate(key, 'run-0')).toBe(true);
        expect(await t.markCreated(key, ticket, String(n), 'created')).toBe(true);
      }
    };

    it('keeps a snapshot only when it is as new or newer and differs, and keeps it pending until that version is written', async () => {
      const w = (await open()).writeback;
      expect(await w.keepSnapshots([snap(1, { portalUrl: 'https://x/portal/CP-1' })])).toBe(1);
      expect(await w.keepSnapshots([snap(1, { portalUrl: 'https://x/portal/CP-1' })])).toBe(0);
      let [p] = await w.pendingWriteback(10);
      expect(p).toMatchObject({ version: 1, snapshot: { status: 'Waiting for support' } });
      await w.markWrittenBack([{ submissionKey: 'key-1', version: 1 }]);
      expect(await w.pendingWriteback(10)).toEqual([]);

      // Older data never replaces newer; equal time with other data does; the portal link stays.
      expect(await w.keepSnapshots([snap(1, { status: 'In Progress', jiraUpdatedAt: iso(5) })])).toBe(1);
      expect(await w.keepSnapshots([snap(1, { status: 'Pending', jiraUpdatedAt: iso(4) })])).toBe(0);
      expect(await w.keepSnapshots([snap(1, { status: 'Resolved', jiraUpdatedAt: iso(5) })])).toBe(1);
      [p] = await w.pendingWriteback(10);
      expect(p).toMatchObject({ version: 3, snapshot: { status: 'Resolved', portalUrl: 'https://x/portal/CP-1' } });

      // A version written while a newer one was kept leaves the newer one pending.
      expect(await w.keepSnapshots([snap(1, { status: 'Closed', jiraUpdatedAt: iso(6) })])).toBe(1);
      await w.markWrittenBack([{ submissionKey: 'key-1', version: 3 }]);
      expect((await w.pendingWriteback(10)).map((x) => [x.version, x.snapshot.status])).toEqual([[4, 'Closed']]);
      expect(await w.oldestSnapshotUpdate()).toBe(iso(6));

      // rewriteAll (a table made anew, or --full): every snapshot is pending again, once.
      await w.markWrittenBack([{ submissionKey: 'key-1', version: 4 }]);
      expect(await w.pendingWriteback(10)).toEqual([]);
      await w.rewriteAll();
      expect((await w.pendingWriteback(10)).map((x) => [x.version, x.snapshot.status])).toEqual([[4, 'Closed']]);
      await w.markWrittenBack([{ submissionKey: 'key-1', version: 4 }]);
      expect(await w.pendingWriteback(10)).toEqual([]);
    });

    it('keeps a deletion once, with what was known of the ticket', async () => {
      const w = (await open()).writeback;
      await w.keepSnapshots([snap(2, { status: 'In Progress' })]);
      const gone = { ...snap(2), status: null, statusCategory: null, jiraCreatedAt: null, jiraUpdatedAt: null, deletedAt: iso(9) };
      expect(await w.keepSnapshots([gone])).toBe(1);
      expect(await w.keepSnapshots([{ ...gone, deletedAt: iso(10) }])).toBe(0);
      const [p] = await w.pendingWriteback(10);
      expect(p?.snapshot).toMatchObject({ status: 'In Progress', deletedAt: iso(9), jiraUpdatedAt: iso(0) });
    });

    it('finds the submissions of tickets, the ones without a snapshot, all of them in pages, and their projects', async () => {
      const t = await open();
      await withTicket(t, 1, 'CP-1');
      await withTicket(t, 2, 'CP-2');
      await withTicket(t, 3, null);
      await withTicket(t, 4, 'HR-7');
      const w = t.writeback;
      expect((await w.ticketOwners(['CP-2', 'HR-7', 'XX-1'])).map((o) => [o.ticketKey, o.submissionKey, o.sourceId]).sort()).toEqual([['CP-2', 'key-2', '2'], ['HR-7', 'key-4', '4']]);
      await w.keepSnapshots([snap(1)]);
      expect((await w.ticketsWithoutSnapshot(null, 10)).map((o) => o.ticketKey)).toEqual(['CP-2', 'HR-7']);
      expect((await w.ticketsWithoutSnapshot('key-2', 10)).map((o) => o.ticketKey)).toEqual(['HR-7']);
      expect((await w.ticketPage(null, 2)).map((o) => o.ticketKey)).toEqual(['CP-1', 'CP-2']);
      expect((await w.ticketPage('key-2', 2)).map((o) => o.ticketKey)).toEqual(['HR-7']);
      expect(await w.ticketProjects()).toEqual(['CP', 'HR']);
    });

    it('moves the checkpoint only forward, and remembers since when pulls have failed', async () => {
      const w = (await open()).writeback;
      expect(await w.pullState()).toMatchObject({ checkpoint: null, lastPullAt: null, failingSince: null });
      await w.recordPull({ at: new Date(iso(1)), ok: true, checkpoint: iso(0), changed: 3, error: null });
      await w.recordPull({ at: new Date(iso(2)), ok: true, checkpoint: null, changed: 0, error: null });
      expect(await w.pullState()).toMatchObject({ checkpoint: iso(0), lastSuccessAt: iso(2), lastChanged: 0 });
      await w.recordPull({ at: new Date(iso(3)), ok: false, checkpoint: null, changed: 0, error: 'Jira search failed' });
      await w.recordPull({ at: new Date(iso(4)), ok: false, checkpoint: null, changed: 0, error: 'again' });
      await w.recordPull({ at: new Date(iso(5)), ok: true, checkpoint: iso(-10), changed: 1, error: null });
      expect(await w.pullState()).toMatchObject({ checkpoint: iso(0), lastPullAt: iso(5), failingSince: null, lastError: null });
      await w.recordPull({ at: new Date(iso(6)), ok: false, checkpoint: null, changed: 0, error: 'down' });
      await w.recordPull({ at: new Date(iso(7)), ok: false, checkpoint: null, changed: 0, error: 'still down' });
      expect(await w.pullState()).toMatchObject({ failingSince: iso(6), lastError: 'still down', lastSuccessAt: iso(5) });
    });
  });
}
