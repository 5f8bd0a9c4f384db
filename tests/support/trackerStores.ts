// The tracker stores a store-agnostic test runs against: each factory opens a fresh, empty store,
// and can open a second handle on the same storage (another run, or another host), so that
// races between two runs are real races between two connections.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PostgresTrackerStore } from '../../src/adapters/tracker/postgres/store.js';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import type { TrackerStore } from '../../src/adapters/tracker/store.js';
import { Tracker } from '../../src/adapters/tracker/tracker.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface StoreFixture {
  /** The first handle. */
  store: TrackerStore;
  /** Another handle on the same storage, as a second run would have. */
  another(): Promise<TrackerStore>;
  /** Closes every handle and removes the storage. */
  dispose(): Promise<void>;
}

export interface StoreFactory {
  name: string;
  open(now: () => Date): Promise<StoreFixture>;
}

export const sqliteStore: StoreFactory = {
  name: 'SQLite',
  async open(now) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-store-'));
    const file = path.join(dir, 'tracker.db');
    const handles: TrackerStore[] = [new Tracker(openTrackerDb(file), now)];
    return {
      store: handles[0] as TrackerStore,
      async another() {
        const t = new Tracker(openTrackerDb(file), now);
        handles.push(t);
        return t;
      },
      async dispose() {
        for (const h of handles) await h.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** PostgreSQL: one fresh database per test file (tests/support/db.ts), a fresh schema per store. */
export function postgresStore(): StoreFactory & { close(): Promise<void> } {
  let db: Promise<TestDatabase> | null = null;
  return {
    name: 'PostgreSQL',
    async open(now) {
      db ??= createTestDatabase();
      const { url } = await db;
      const schema = `tracker_${randomBytes(5).toString('hex')}`;
      const handles: TrackerStore[] = [await PostgresTrackerStore.open({ url, schema, now })];
      return {
        store: handles[0] as TrackerStore,
        async another() {
          const t = await PostgresTrackerStore.open({ url, schema, now });
          handles.push(t);
          return t;
        },
        async dispose() {
          for (const h of handles) await h.close();
        },
      };
    },
    async close() {
      if (db) await (await db).drop();
    },
  };
}
