// The tracker's high-water mark, kept in a small file beside it (not inside it), so that a
// tracker restored from an older backup can tell it is behind. Rows between the restored
// cursor and the mark may already have tickets; their markers are searched before creating.
// Rows dated in the future never move the cursor, so the file also lists those by source id.
import fs from 'node:fs';
import { writePrivateFile } from '../../privateFiles.js';
import type { RowPosition } from '../postgres/source.js';
import { comparePositions, isInfiniteTimestamp } from '../postgres/order.js';

function file(trackerPath: string): string {
  return `${trackerPath}.highwater.json`;
}

/** Where the mark is kept: a damaged tracker's message names it, since it must be kept. */
export function highWaterPath(trackerPath: string): string {
  return file(trackerPath);
}

interface HighWaterFile {
  sourceTs?: unknown;
  sourceId?: unknown;
  /** Source ids of rows dated past the cursor's ceiling that were registered: they never move
   *  the cursor, so the mark cannot cover them; a tracker that does not know one forgot it. */
  ahead?: unknown;
}

/** Ids of future-dated rows kept; the oldest are dropped beyond this (a few are normal). */
const MAX_AHEAD = 10_000;

function readFile(trackerPath: string): HighWaterFile {
  try {
    return JSON.parse(fs.readFileSync(file(trackerPath), 'utf8')) as HighWaterFile;
  } catch {
    return {};
  }
}

export function readHighWater(trackerPath: string): RowPosition | null {
  const v = readFile(trackerPath);
  // A mark at ±infinity was left by an older version that let an `infinity` row move the
  // cursor; it says nothing about how far a tracker got, so it is ignored (and replaced).
  return typeof v.sourceTs === 'string' && typeof v.sourceId === 'string' && !isInfiniteTimestamp(v.sourceTs) ? { sourceTs: v.sourceTs, sourceId: v.sourceId } : null;
}

/** Source ids of the future-dated rows registered so far (see HighWaterFile.ahead). */
export function readAheadIds(trackerPath: string): Set<string> {
  const ahead = readFile(trackerPath).ahead;
  return new Set(Array.isArray(ahead) ? ahead.filter((x): x is string => typeof x === 'string') : []);
}

export function isAfter(a: RowPosition, b: RowPosition): boolean {
  // In time order, not text order (order.ts); ids as numbers when both are numeric.
  return comparePositions(a, b) > 0;
}

/** Moves the mark forward only, and adds future-dated rows' ids. Written via a temp file so a crash never leaves it half-written. */
export function raiseHighWater(trackerPath: string, pos: RowPosition | null, aheadIds: string[] = []): void {
  const current = readHighWater(trackerPath);
  const known = readAheadIds(trackerPath);
  const added = aheadIds.filter((id) => !known.has(id));
  const move = pos !== null && (current === null || isAfter(pos, current));
  if (!move && added.length === 0) return;
  const mark = move ? pos : current;
  const ahead = [...known, ...added].slice(-MAX_AHEAD);
  const next = { ...(mark ? { sourceTs: mark.sourceTs, sourceId: mark.sourceId } : {}), ...(ahead.length > 0 ? { ahead } : {}) };
  const tmp = `${file(trackerPath)}.${process.pid}.tmp`;
  writePrivateFile(tmp, `${JSON.stringify(next)}\n`);
  fs.renameSync(tmp, file(trackerPath));
}
