// The tracker, its backups, the high-water mark, the lock and the logs hold the submissions'
// personal data, so every file jira-sync writes is readable by its owner only (0600) and every
// folder it creates is 0700. Modes are set explicitly (chmod after create), never left to the
// umask: cron's umask is usually 022, which would make them world-readable. A file an older
// version left wider is tightened the next time jira-sync writes it. Folders that already exist
// (the repository's tracker/ and logs/, or a folder an operator made) are left as they are:
// their modes are the operator's choice, and the files inside are private anyway.
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` and any missing parents as 0700; existing folders keep their modes. */
export function ensurePrivateDir(dir: string): void {
  const missing: string[] = [];
  for (let p = path.resolve(dir); !fs.existsSync(p); p = path.dirname(p)) missing.unshift(p);
  // One level at a time, each set to 0700 before the next is made inside it: mkdir applies
  // the umask, and a umask such as 0277 would leave a parent we could not create into.
  for (const p of missing) {
    try {
      fs.mkdirSync(p, { mode: PRIVATE_DIR_MODE });
    } catch (err) {
      if (code(err) === 'EEXIST') continue; // an overlapping run made it first (and sets its mode)
      throw err;
    }
    fs.chmodSync(p, PRIVATE_DIR_MODE);
  }
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Takes the group's and others' access away from an existing file; a missing file is
 * fine. A file owned by another user cannot be changed (EPERM): it is left as it is rather than
 * stopping a run that can still use it.
 */
export function tightenFile(file: string): void {
  try {
    // Only the group's and others' bits go: an owner's read-only file stays read-only, so a
    // problem the operator made on purpose (or by mistake) is still reported, not papered over.
    const mode = fs.statSync(file).mode;
    if ((mode & 0o077) !== 0) fs.chmodSync(file, mode & 0o700);
  } catch (err) {
    if (code(err) !== 'ENOENT' && code(err) !== 'EPERM') throw err;
  }
}

/**
 * Creates `file` empty as 0600 if it does not exist, else only tightens it: an existing file
 * is never opened for writing here, so its content and any other problem with it (read-only,
 * corrupt) are left for the code that opens it to report.
 */
export function ensurePrivateFile(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, PRIVATE_FILE_MODE);
  } catch (err) {
    if (code(err) === 'EEXIST') return tightenFile(file);
    throw err;
  }
  try {
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `file` whole, as 0600 from its first byte (used for a temp file that is then renamed). */
export function writePrivateFile(file: string, data: string): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, PRIVATE_FILE_MODE);
  try {
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
    fs.writeFileSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
}
