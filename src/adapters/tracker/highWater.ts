// The tracker's high-water mark, kept in a small file beside it (not inside it), so that a
// tracker restored from an older backup can tell it is behind. Rows between the restored
// cursor and the mark may already have tickets; their markers are searched before creating.
import fs from 'node:fs';
import type { RowPosition } from '../postgres/source.js';
import { comparePositions, isInfiniteTimestamp } from '../postgres/order.js';

function file(trackerPath: string): string {
  return `${trackerPath}.highwater.json`;
}

export function readHighWater(trackerPath: string): RowPosition | null {
  try {
    const v = JSON.parse(fs.readFileSync(file(trackerPath), 'utf8')) as RowPosition;
    // A mark at ±infinity was left by an older version that let an `infinity` row move the
    // cursor; it says nothing about how far a tracker got, so it is ignored (and replaced).
    return typeof v.sourceTs === 'string' && typeof v.sourceId === 'string' && !isInfiniteTimestamp(v.sourceTs) ? v : null;
  } catch {
    return null;
  }
}

export function isAfter(a: RowPosition, b: RowPosition): boolean {
  // In time order, not text order (order.ts); ids as numbers when both are numeric.
  return comparePositions(a, b) > 0;
}

/** Moves the mark forward only. Written via a temp file so a crash never leaves it half-written. */
export function raiseHighWater(trackerPath: string, pos: RowPosition | null): void {
  if (!pos) return;
  const current = readHighWater(trackerPath);
  if (current && !isAfter(pos, current)) return;
  const tmp = `${file(trackerPath)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ sourceTs: pos.sourceTs, sourceId: pos.sourceId })}\n`);
  fs.renameSync(tmp, file(trackerPath));
}
