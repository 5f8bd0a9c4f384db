// Two runs starting together on a new tracker (the lock bypassed, or `status` beside the first
// run) both switch the new file to WAL. The switch reads the file, then writes its header, and
// when the other holds the write lock at that moment SQLite answers SQLITE_BUSY at once, without
// waiting as busy_timeout says (a reader that waited to write could deadlock): the second run
// stopped with "database is locked". openTrackerDb now waits for it, as for any other lock.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { chooseSqliteBuild } from '../../src/adapters/tracker/sqlite.js';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import { tempDirs } from '../support/tempDirs.js';

const newDir = tempDirs('jira-sync-tracker-open-');

/** Another process's connection, in a thread of its own: it holds the write lock on `file` for
 *  `holdMs` (`begin`: BEGIN IMMEDIATE), as a run that is switching the same new tracker to WAL,
 *  or writing to it, does. */
function holdLock(file: string, holdMs: number, begin: string): Promise<{ released: Promise<void> }> {
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const Database = require(workerData.pkg);
     const db = new Database(workerData.file);
     db.exec(workerData.begin);
     db.prepare('SELECT count(*) FROM sqlite_master').get();
     parentPort.postMessage('held');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
     db.exec('COMMIT');
     db.close();
     parentPort.postMessage('released');`,
    { eval: true, workerData: { file, holdMs, begin, pkg: chooseSqliteBuild(process.versions.node).pkg } },
  );
  const released = new Promise<void>((resolve, reject) => {
    worker.on('message', (m) => m === 'released' && resolve());
    worker.on('error', reject);
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => m === 'held' && resolve({ released }));
    worker.on('error', reject);
  });
}

/** Opens `file` while another connection holds its write lock for 300 ms; checks the open waited
 *  for it and ended in WAL mode, then runs `check` on the connection. */
async function openWhileLocked(file: string, check: (db: ReturnType<typeof openTrackerDb>) => void = () => undefined): Promise<void> {
  const other = await holdLock(file, 300, 'BEGIN IMMEDIATE');
  const started = Date.now();
  const db = openTrackerDb(file);
  try {
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    check(db);
  } finally {
    db.close();
  }
  await other.released;
}

describe('opening a tracker', () => {
  it('waits for another process that has the new file open, instead of failing with "database is locked"', async () => {
    // The switch to WAL reads the new file, then must write its header while the other holds the
    // write lock: SQLite does not wait there (a reader that waited to write could deadlock), so
    // openTrackerDb waits, and the switch is made once the other is done.
    await openWhileLocked(path.join(newDir(), 'tracker.db'), (db) => {
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'submissions'").get()).toEqual({ n: 1 });
    });
  });

  it('waits for a run that is writing to the tracker when it opens it (WAL)', async () => {
    const file = path.join(newDir(), 'tracker.db');
    openTrackerDb(file).close();
    await openWhileLocked(file);
  });
});
