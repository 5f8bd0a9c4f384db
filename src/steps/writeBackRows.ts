// Writes the snapshots the tracker holds and the write-back table does not yet have, a batch
// per transaction, and marks each batch written once it is committed. PostgreSQL down: the
// DependencyError goes up (exit 3) and what was not written stays pending for the next run.
import { UPSERT_BATCH, type WritebackTable } from '../adapters/postgres/writebackTable.js';
import type { WritebackStore } from '../adapters/tracker/writeback.js';

/** Returns how many rows of the table changed. */
export async function writeBackRows(store: WritebackStore, table: WritebackTable, now: () => Date): Promise<number> {
  let changed = 0;
  for (;;) {
    const pending = await store.pendingWriteback(UPSERT_BATCH);
    if (pending.length === 0) return changed;
    const versions = new Map(pending.map((p) => [p.snapshot.submissionKey, p.version]));
    changed += await table.upsert(
      pending.map((p) => p.snapshot),
      now(),
      (written) => store.markWrittenBack(written.map((s) => ({ submissionKey: s.submissionKey, version: versions.get(s.submissionKey) ?? 0 }))),
    );
    if (pending.length < UPSERT_BATCH) return changed;
  }
}
