// The SQLite tracker's per-submission commits, made off the event loop: better-sqlite3 is
// synchronous, so a commit made on the main thread holds every Jira call in flight for as long
// as the disk takes to flush it (WAL, synchronous=FULL). A run's claims, `created` and `done`
// commits and its registrations go to a thread of their own (sqliteWriterThread.ts) with its own
// connection; the caller's promise settles once the commit is durable, as before. Everything
// else stays on the main connection, which sees each commit as soon as it is made (WAL).
// Only `jira-sync run` uses it (openTracker's offThread); a store opened by a test or another
// command writes on the main thread as it always did.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const THREAD = new URL('./sqliteWriterThread.js', import.meta.url);

export type WriterOp = 'claimForCreate' | 'markCreated' | 'markAttachedAndDone' | 'registerAll';

export interface WriterRequest {
  id: number;
  op: WriterOp;
  args: unknown[];
  /** The run's clock at the call (ISO). */
  at: string;
}

export interface WriterAnswer {
  id: number;
  value?: unknown;
  error?: { message: string; code?: string };
}

export class SqliteWriter {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Requests made since the last message to the thread: sent together (see call). */
  private outbox: WriterRequest[] = [];

  constructor(
    private readonly file: string,
    private readonly now: () => Date,
  ) {}

  /** False where only the TypeScript sources exist (a test importing src/ in-process): the thread
   *  runs compiled JavaScript, so such a store commits on the main thread, as other commands do. */
  static available(): boolean {
    return fs.existsSync(fileURLToPath(THREAD));
  }

  call<T>(op: WriterOp, args: unknown[]): Promise<T> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // Requests made in the same turn of the event loop go in one message, so the thread makes
      // them in one transaction with one flush: a lane's `done` and its next claim are asked for
      // together, and the claim, which the next create call waits on, does not wait for a flush
      // of its own after the `done` one.
      this.outbox.push({ id, op, args, at: this.now().toISOString() });
      if (this.outbox.length === 1) setImmediate(() => worker.postMessage(this.outbox.splice(0)));
    });
    this.inFlight.add(answer);
    const forget = () => this.inFlight.delete(answer);
    answer.then(forget, forget);
    return answer;
  }

  /** Started on the first write, so a run with nothing to do never starts it. */
  private start(): Worker {
    const worker = new Worker(THREAD, {
      workerData: { file: this.file },
      // Its work is a few statements at a time: a small heap keeps the run's memory flat.
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
    });
    worker.on('message', (answers: WriterAnswer[]) => {
      for (const a of answers) {
        const w = this.waiting.get(a.id);
        if (!w) continue;
        this.waiting.delete(a.id);
        if (a.error) w.reject(Object.assign(new Error(a.error.message), a.error.code === undefined ? {} : { code: a.error.code }));
        else w.resolve(a.value);
      }
    });
    // The thread could not open the tracker or died: every write still waiting fails with its reason.
    const failAll = (err: Error) => {
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
      this.worker = null;
    };
    worker.on('error', (err) => failAll(Object.assign(err, { code: (err as { code?: unknown }).code ?? 'SQLITE_WRITER' })));
    worker.on('exit', (code) => failAll(Object.assign(new Error(`the tracker's writing thread stopped (exit ${code})`), { code: 'SQLITE_WRITER_EXIT' })));
    return worker;
  }

  /** Waits for the writes in flight, then closes the thread's connection. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await Promise.allSettled([...this.inFlight]);
    const exited = new Promise((r) => worker.once('exit', r));
    worker.postMessage('close');
    await exited;
    this.worker = null;
  }
}
