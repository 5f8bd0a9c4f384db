// The tracker's high-water mark, kept in a small file beside it (not inside it), so that a
// tracker restored from an older backup can tell it is behind. Rows between the restored
// cursor and the mark may already have tickets; their markers are searched before creating.
import fs from 'node:fs';
import { writePrivateFile } from '../../privateFiles.js';
import type { RowPosition } from '../postgres/source.js';

function file(trackerPath: string): string {
  return `${trackerPath}.highwater.json`;
}

export function readHighWater(trackerPath: string): RowPosition | null {
  try {
    const v = JSON.parse(fs.readFileSync(file(trackerPath), 'utf8')) as RowPosition;
    return typeof v.sourceTs === 'string' && typeof v.sourceId === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function isAfter(a: RowPosition, b: RowPosition): boolean {
  // Timestamps are fixed-width UTC text (values.ts); ids compare as numbers when both are numeric.
  if (a.sourceTs !== b.sourceTs) return a.sourceTs > b.sourceTs;
  const na = Number(a.sourceId);
  const nb = Number(b.sourceId);
  return Number.isFinite(na) && Number.isFinite(nb) ? na > nb : a.sourceId > b.sourceId;
}

/** Moves the mark forward only. Written via a temp file so a crash never leaves it half-written. */
export function raiseHighWater(trackerPath: string, pos: RowPosition | null): void {
  if (!pos) return;
  const current = readHighWater(trackerPath);
  if (current && !isAfter(pos, current)) return;
  const tmp = `${file(trackerPath)}.${process.pid}.tmp`;
  writePrivateFile(tmp, `${JSON.stringify(pos)}\n`);
  fs.renameSync(tmp, file(trackerPath));
}
