// The claim before the create is what stops two runs from creating the same ticket. Two
// Tracker instances on one real SQLite file, each with its own connection as two processes
// would have, both see the same submission as due and both try to claim it: exactly one wins,
// and a submission that already has a ticket, is being created, is finished, or must first be
// searched for (verify_first) is won by neither.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import { Tracker, type SubmissionState } from '../../src/adapters/tracker/tracker.js';

const T0 = Date.parse('2026-11-23T09:00:00.000Z');
let dir: string;
let a: Tracker;
let b: Tracker;
let clock: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-claim-'));
  const file = path.join(dir, 'tracker.db');
  clock = T0;
  a = new Tracker(openTrackerDb(file), () => new Date(clock));
  b = new Tracker(openTrackerDb(file), () => new Date(clock));
});
afterEach(() => {
  a.close();
  b.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
/** A submission registered by run A (pending), with its own source row. */
async function register(verifyFirst = false): Promise<string> {
  seq += 1;
  const key = `key-${seq}`.padEnd(64, '0');
  const ts = `2026-11-23T08:00:${String(seq % 60).padStart(2, '0')}.000000Z`;
  expect((await a.register({ sourceId: String(seq), sourceTs: ts }, key, { id: seq }, 'run-a', verifyFirst))).toBe('new');
  return key;
}

/** Both runs try to claim the same key, in the given order; returns who won. */
async function race(key: string, first: 'a' | 'b' = 'a'): Promise<{ a: boolean; b: boolean }> {
  const order = first === 'a' ? ([['a', a], ['b', b]] as const) : ([['b', b], ['a', a]] as const);
  const won = { a: false, b: false };
  for (const [name, t] of order) won[name] = (await t.claimForCreate(key, `run-${name}`, { id: key, by: name }));
  return won;
}

describe('two runs claim the same submission', () => {
  it('a pending submission both runs see as due is claimed by exactly one; the other is told no', async () => {
    const key = await register();
    // Both runs read their batch first (the submission is pending and due for both) ...
    expect((await a.dueForWork(10)).map((s) => s.key)).toEqual([key]);
    expect((await b.dueForWork(10)).map((s) => s.key)).toEqual([key]);
    // ... then both try to claim it.
    expect(await race(key, 'b')).toEqual({ a: false, b: true });
    const sub = (await a.get(key));
    expect(sub).toMatchObject({ state: 'creating', attempts: 1, runId: 'run-b', payload: { id: key, by: 'b' } });
  });

  it('a failed submission whose retry time has come is claimed by exactly one', async () => {
    const key = await register();
    expect((await a.claimForCreate(key, 'run-a'))).toBe(true);
    expect((await a.markFailed(key, 'failed:jira-rejected', 'Jira said no', new Date(T0 + 15 * 60_000)))).toBe(true);
    clock = T0 + 16 * 60_000;
    expect((await a.dueForWork(10)).map((s) => s.key)).toEqual([key]);
    expect((await b.dueForWork(10)).map((s) => s.key)).toEqual([key]);
    expect(await race(key)).toEqual({ a: true, b: false });
    expect((await b.get(key))).toMatchObject({ state: 'creating', attempts: 2, runId: 'run-a' });
  });

  it('many submissions claimed alternately by two runs: each is won exactly once', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 20; i++) keys.push(await register());
    const wins: { a: boolean; b: boolean }[] = [];
    for (const [i, k] of keys.entries()) wins.push(await race(k, i % 2 === 0 ? 'a' : 'b'));
    for (const [i, w] of wins.entries()) expect(Number(w.a) + Number(w.b), keys[i]).toBe(1);
    expect((await a.dueForWork(100)).filter((s) => s.state !== 'creating')).toEqual([]);
  });
});

describe('a submission neither run may claim', () => {
  /** Puts a fresh submission into `state` through the tracker's own transitions. */
  const into: Record<string, () => Promise<string>> = {
    creating: async () => {
      const k = await register();
      await a.claimForCreate(k, 'run-a');
      return k;
    },
    created: async () => {
      const k = await into.creating!();
      await a.markCreated(k, 'JSM-1', '10001', 'created');
      return k;
    },
    attached: async () => {
      const k = await into.created!();
      await a.markAttached(k);
      return k;
    },
    done: async () => {
      const k = await into.attached!();
      await a.markDone(k, 'created');
      return k;
    },
    parked: async () => {
      const k = await into.creating!();
      await a.markFailed(k, 'failed:jira-rejected', 'Jira said no', null);
      return k;
    },
    // The ticket exists; only its attachment failed. Due again once its retry time has come.
    'failed with a ticket': async () => {
      const k = await into.created!();
      await a.markFailed(k, 'failed:jira-rejected', 'attachment refused', new Date(T0 - 1), true);
      return k;
    },
    // A restored tracker: it may have forgotten a ticket, so only a marker search may settle it.
    'pending, verify first': () => register(true),
    'failed, verify first': async () => {
      const k = await register(true);
      expect((await a.claimRecovery(k, 'run-a'))).toBe(true);
      await a.markSearchFailed(k, null, 'search failed', new Date(T0 - 1));
      return k;
    },
  };
  const expected: Record<string, SubmissionState> = {
    creating: 'creating', created: 'created', attached: 'attached', done: 'done', parked: 'parked',
    'failed with a ticket': 'failed', 'pending, verify first': 'pending', 'failed, verify first': 'failed',
  };

  for (const [name, make] of Object.entries(into)) {
    it(`${name}: neither claim wins and nothing about it changes`, async () => {
      const key = await make();
      const before = (await a.get(key));
      expect(before?.state).toBe(expected[name]);
      clock = T0 + 60_000;
      expect(await race(key)).toEqual({ a: false, b: false });
      expect((await b.get(key))).toEqual(before);
    });
  }
});
