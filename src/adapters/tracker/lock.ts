// The run lock: overlapping cron runs cannot both work. It is an exclusive SQLite lock on a
// small file beside the tracker, i.e. an OS file lock, so the kernel releases it when the
// holder dies in any way, `kill -9` and power cuts included: no stale lock ever blocks a
// later run, and no pid bookkeeping can be fooled by pid reuse.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlite, type SqliteDatabase } from './sqlite.js';
import { DependencyError, LockHeldError, describeFileError } from '../../errors.js';
import { ensurePrivateDir, ensurePrivateFile, writePrivateFile } from '../../privateFiles.js';

export interface LockHolder {
  pid: number;
  host: string;
  runId: string;
  startedAt: string;
}

function holderFile(lockPath: string): string {
  return `${lockPath}.holder.json`;
}

function readHolder(lockPath: string): LockHolder | null {
  try {
    return JSON.parse(fs.readFileSync(holderFile(lockPath), 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

export function describeHolder(h: LockHolder | null): string {
  return h ? `run ${h.runId}, pid ${h.pid} on ${h.host}, started ${h.startedAt}` : 'holder unknown';
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** A lock file SQLite cannot use, in words that say what to do (doctor shows the same two parts). */
export class LockFileError extends DependencyError {
  constructor(
    readonly detail: string,
    readonly fix: string,
  ) {
    super('tracker', `${detail}; ${fix}`);
    this.name = 'LockFileError';
  }
}

function lockFileError(lockPath: string, err: unknown): LockFileError {
  const code = String((err as { code?: unknown }).code ?? '');
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    // It holds no data (the holder is in a separate file), so deleting it loses nothing.
    return new LockFileError(`the run lock file ${lockPath} is damaged (${describeFileError(err)})`, 'it holds no data: delete it when no jira-sync run is going, then run again');
  }
  return new LockFileError(`cannot use the run lock file ${lockPath}: ${describeFileError(err)}`, 'give the user that runs jira-sync write access to it and its folder');
}

export class RunLock {
  private constructor(
    private readonly db: SqliteDatabase,
    private readonly lockPath: string,
  ) {}

  static lockPathFor(trackerPath: string): string {
    return `${trackerPath}.lock`;
  }

  /** Takes the lock or throws LockHeldError naming the holder. */
  static acquire(lockPath: string, holder: Omit<LockHolder, 'pid' | 'host'>): RunLock {
    let db: SqliteDatabase;
    try {
      // Owner-only before SQLite opens it (privateFiles.ts says why).
      ensurePrivateDir(path.dirname(path.resolve(lockPath)));
      ensurePrivateFile(lockPath);
      db = openSqlite(lockPath);
    } catch (err) {
      if (err instanceof DependencyError) throw err; // the SQLite driver itself: its message says what to do
      throw lockFileError(lockPath, err);
    }
    try {
      // A short wait covers `status` peeking at the lock at the same instant; a real holder
      // keeps it for the whole run, so the second run still gives up quickly.
      db.pragma('busy_timeout = 2000');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      if (isBusy(err)) throw new LockHeldError(describeHolder(readHolder(lockPath)));
      throw lockFileError(lockPath, err);
    }
    const info: LockHolder = { pid: process.pid, host: os.hostname(), ...holder };
    writePrivateFile(holderFile(lockPath), `${JSON.stringify(info)}\n`);
    return new RunLock(db, lockPath);
  }

  /** The holder if a run holds the lock now, else null. Takes no lock that could outlive the call. */
  static currentHolder(lockPath: string): LockHolder | null | 'unknown' {
    if (!fs.existsSync(lockPath)) return null;
    const db = openSqlite(lockPath, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 0');
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      return null;
    } catch (err) {
      if (isBusy(err)) return readHolder(lockPath) ?? 'unknown';
      throw lockFileError(lockPath, err);
    } finally {
      db.close();
    }
  }

  release(): void {
    try {
      fs.rmSync(holderFile(this.lockPath), { force: true });
      this.db.exec('ROLLBACK');
    } finally {
      this.db.close();
    }
  }
}
