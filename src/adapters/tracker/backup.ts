// Daily online backups of the tracker (SQLite's backup API, safe while runs write), kept
// for a week. After restoring an old backup, submissions it lacks look new again, but the
// marker search in recovery finds their tickets, so nothing is created twice.
//
// Backups are named after the tracker file (odd.db -> odd-YYYY-MM-DD.db; the default tracker.db
// keeps tracker-YYYY-MM-DD.db): two trackers in one folder share the backups folder, and each
// must make, rotate and report only its own.
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ensurePrivateDir, ensurePrivateFile, tightenFile } from '../../privateFiles.js';

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
  await db.backup(partial);
  // Rename last, so a crash mid-backup never leaves a file that looks complete.
  fs.renameSync(partial, target);
  const all = listBackups(trackerPath);
  for (const old of all.slice(0, Math.max(0, all.length - KEEP))) fs.rmSync(old.file, { force: true });
  return target;
}
