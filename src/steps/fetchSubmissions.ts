// Step 1: the next batch of new submissions, oldest first, without ever rescanning the table.
// Progress is a keyset cursor on (timestamp, id). Each run re-reads a look-back window
// behind the cursor, because a row can share the cursor's timestamp or commit late with an
// older timestamp; rows the tracker has already seen are filtered out, page by page, so a
// window full of processed rows costs a cheap index scan and never stalls progress.
import type { PostgresSource, RowPosition, ScanStart } from '../adapters/postgres/source.js';
import type { ColumnInfo, Row } from '../adapters/postgres/values.js';

export interface SeenFilter {
  getCursor(): RowPosition | null;
  seenSourceIds(ids: string[]): Set<string>;
}

export interface FetchedRow {
  position: RowPosition;
  row: Row;
}

/** Positions per scan query: one round trip for a normal look-back window, small enough to stay cheap. */
export const SCAN_PAGE = 500;

export function windowStart(cursorTs: string, lookbackMinutes: number): string {
  const ms = Date.parse(cursorTs);
  if (Number.isNaN(ms)) return cursorTs;
  return new Date(ms - lookbackMinutes * 60_000).toISOString();
}

export async function fetchSubmissions(
  source: PostgresSource,
  tracker: SeenFilter,
  opts: { limit: number; lookbackMinutes: number; columns: ColumnInfo[]; idColumn: string; exclude?: Set<string> },
): Promise<FetchedRow[]> {
  if (opts.limit <= 0) return [];
  const cursor = tracker.getCursor();
  let start: ScanStart = cursor ? { from: windowStart(cursor.sourceTs, opts.lookbackMinutes) } : {};
  const picked: RowPosition[] = [];
  while (picked.length < opts.limit) {
    const page = await source.scanPositions(start, SCAN_PAGE);
    if (page.length === 0) break;
    const seen = tracker.seenSourceIds(page.map((p) => p.sourceId));
    for (const p of page) {
      if (seen.has(p.sourceId) || opts.exclude?.has(p.sourceId)) continue;
      picked.push(p);
      if (picked.length === opts.limit) break;
    }
    if (page.length < SCAN_PAGE) break;
    start = { after: page[page.length - 1] as RowPosition };
  }
  const rows = await source.fetchRows(
    picked.map((p) => p.sourceId),
    opts.columns,
  );
  const byId = new Map(rows.map((r) => [String(r[opts.idColumn]), r]));
  // A row deleted between the two reads is simply not returned; it was never registered.
  return picked.filter((p) => byId.has(p.sourceId)).map((p) => ({ position: p, row: byId.get(p.sourceId) as Row }));
}
