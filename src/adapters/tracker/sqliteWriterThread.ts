// The SQLite tracker's writing thread (sqliteWriter.ts starts it): a second connection to the
// same file that makes a run's per-submission commits, so the event loop the Jira calls share
// never waits on a disk flush. Requests that arrive while a commit is being flushed are made
// together in the next transaction: one flush for several submissions' transitions, each still
// conditional on the state it leaves, and each answered only once that commit is durable
// (WAL, synchronous=FULL, as every tracker connection is opened by openTrackerDb).
import { parentPort, workerData } from 'node:worker_threads';
import { openTrackerDb } from './schema.js';
import { SqliteSubmissions } from './sqliteSubmissions.js';
import type { WriterRequest, WriterAnswer, WriterOp } from './sqliteWriter.js';

const port = parentPort;
if (!port) throw new Error('sqliteWriterThread runs as a worker thread only');
const db = openTrackerDb((workerData as { file: string }).file);
/** Each request's time comes from the run's clock with the request (tests shift that clock). */
let at = new Date(0).toISOString();
const store = new SqliteSubmissions(db, () => new Date(at));
const queue: WriterRequest[] = [];
let scheduled = false;

// better-sqlite3 is synchronous: each of these methods has done all of its writing when it returns
// its (already settled) promise, so they can share the transaction opened around them below.
const ops: Record<WriterOp, (args: unknown[]) => Promise<unknown>> = {
  claimForCreate: (a) => store.claimForCreate(...(a as Parameters<SqliteSubmissions['claimForCreate']>)),
  markCreated: (a) => store.markCreated(...(a as Parameters<SqliteSubmissions['markCreated']>)),
  markAttachedAndDone: (a) => store.markAttachedAndDone(...(a as Parameters<SqliteSubmissions['markAttachedAndDone']>)),
  registerAll: (a) => store.registerAll(...(a as Parameters<SqliteSubmissions['registerAll']>)),
};

function failure(err: unknown): WriterAnswer['error'] {
  return { message: err instanceof Error ? err.message : String(err), code: (err as { code?: unknown }).code === undefined ? undefined : String((err as { code?: unknown }).code) };
}

async function flush(): Promise<void> {
  scheduled = false;
  const batch = queue.splice(0);
  const settled: Promise<unknown>[] = [];
  try {
    db.exec('BEGIN IMMEDIATE');
    for (const r of batch) {
      at = r.at;
      settled.push(ops[r.op](r.args));
    }
    db.exec('COMMIT');
  } catch (err) {
    // The commit (or BEGIN) failed: none of the batch is recorded, and each caller is told so.
    if (db.inTransaction) db.exec('ROLLBACK');
    port?.postMessage(batch.map((r): WriterAnswer => ({ id: r.id, error: failure(err) })));
    return;
  }
  const results = await Promise.allSettled(settled);
  // One message for the whole batch: one wake-up of the event loop, not one per submission.
  port?.postMessage(
    batch.map((r, i): WriterAnswer => {
      const s = results[i] as PromiseSettledResult<unknown>;
      return s.status === 'fulfilled' ? { id: r.id, value: s.value } : { id: r.id, error: failure(s.reason) };
    }),
  );
}

port.on('message', (m: WriterRequest[] | 'close') => {
  if (m === 'close') {
    db.close();
    port.close();
    return;
  }
  queue.push(...m);
  // After the messages already waiting (they arrived during the last flush) have been queued too.
  if (!scheduled) {
    scheduled = true;
    setImmediate(() => void flush());
  }
});
