// Daily online backups of the tracker (`VACUUM INTO`: one read transaction, so safe while runs
// write), kept for a week. Not SQLite's backup API: it writes through a connection of its own
// whose page cache is better-sqlite3's 16 MB, which a run cannot set (sqlite.ts), and so added
// up to 16 MB to a long run's peak memory; `VACUUM INTO` uses the tracker connection's 2 MB and
// takes the same time (BENCHMARKS.md, issue 14). After restoring an old backup, submissions it lacks look new again, but the
// marker search in recovery finds their tickets, so nothing is created twice.
//
// Backups are named after the tracker file (odd.db -> odd-YYYY-MM-DD.db; the default tracker.db
// keeps tracker-YYYY-MM-DD.db): two trackers in one folder share the backups folder, and each
// must make, rotate and report only its own.
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ensurePrivateDir, ensurePrivateFile, tightenFile } from '../../privateFiles.js';
import { highWaterPath } from './highWater.js';

const KEEP = 7;

/** The tracker file's name without `.db`: the start of every backup's name. */
function backupPrefix(trackerPath: string): string {
  return path.basename(trackerPath).replace(/\.db$/, '');
}

function backupName(trackerPath: string): RegExp {
  const prefix = backupPrefix(trackerPath).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${prefix}-(\\d{4}-\\d{2}-\\d{2})\\.db$`);
}

export function backupDir(trackerPath: string): string {
  return path.join(path.dirname(path.resolve(trackerPath)), 'backups');
}

export function listBackups(trackerPath: string): { file: string; day: string; mtime: Date }[] {
  const dir = backupDir(trackerPath);
  if (!fs.existsSync(dir)) return [];
  const NAME = backupName(trackerPath);
  return fs
    .readdirSync(dir)
    .filter((f) => NAME.test(f))
    .sort()
    .map((f) => ({ file: path.join(dir, f), day: (NAME.exec(f) as RegExpExecArray)[1] as string, mtime: fs.statSync(path.join(dir, f)).mtime }));
}

/**
 * What to do about a damaged tracker, by what there is to fall back on: the newest backup, by
 * name; without one, the high-water mark, which makes a new tracker search Jira's markers for
 * every submission up to it before creating it; without either, nothing that tells which
 * submissions already have tickets, which is said plainly.
 */
export function damagedTrackerFix(trackerPath: string): string {
  const guide = 'see README, "Tracker backups and restoring one"';
  const newest = listBackups(trackerPath).at(-1);
  if (newest) return `restore the newest copy, ${newest.file} (${guide}), keeping the damaged file aside`;
  const none = `there is no backup of it (none in ${backupDir(trackerPath)})`;
  const mark = highWaterPath(trackerPath);
  if (fs.existsSync(mark)) {
    return `${none}: move the damaged file aside (keep it) and keep ${mark}; the next run starts a new tracker and searches Jira for the marker of every submission up to that high-water mark before creating it, so none is created twice (${guide})`;
  }
  return `${none}, nor a high-water mark (${mark}): if no run ever created a ticket with it, move it aside (keep it) and run again to start a new tracker; if runs did, a new tracker would create their tickets again (${guide})`;
}

/** Makes today's backup if there is none yet; prunes to the newest seven. Returns the new file, if any. */
export async function backupIfDue(db: Database.Database, trackerPath: string, now: Date): Promise<string | null> {
  const day = now.toISOString().slice(0, 10);
  const existing = listBackups(trackerPath);
  // Backups an older version made world-readable are tightened too.
  for (const b of existing) tightenFile(b.file);
  if (existing.some((b) => b.day === day)) return null;
  const dir = backupDir(trackerPath);
  ensurePrivateDir(dir);
  const target = path.join(dir, `${backupPrefix(trackerPath)}-${day}.db`);
  const partial = `${target}.partial`;
  // The copy holds the same personal data: created owner-only (empty, so SQLite fills it)
  // before the first page is written, whatever the umask. A partial left by a crash is redone.
  fs.rmSync(partial, { force: true });
  ensurePrivateFile(partial);
  // Into the empty owner-only file made above: SQLite accepts an empty file as the target.
  db.prepare('VACUUM INTO ?').run(partial);
  // Rename last, so a crash mid-backup never leaves a file that looks complete.
  fs.renameSync(partial, target);
  const all = listBackups(trackerPath);
  for (const old of all.slice(0, Math.max(0, all.length - KEEP))) fs.rmSync(old.file, { force: true });
  return target;
}
