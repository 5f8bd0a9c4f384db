// LOG_DIR=- : the logs go to standard output instead of files, for containers, where there is
// no disk worth writing to and the platform collects a process's output. Every line is one JSON
// object, the same object a module's log file would get (module, runId, key, sourceId), and the
// run's summary becomes one more object (module "summary") in the same stream, so a log
// collector needs no second parser and nothing is said twice on stderr.
//
// Writes are synchronous on the file descriptor, as the log files' are: a run can be killed at
// any instant, and a line logged before that must already be in the pipe.

import fs from 'node:fs';

/** The LOG_DIR value that means standard output. */
export const LOG_TO_STDOUT = '-';

/** What a write failure is reported as (the run stops as for a log file it cannot write). */
export const STDOUT_NAME = 'standard output (LOG_DIR=-)';

const STDOUT_FD = 1;
const RETRY_MS = 1;

/** A short write is continued; a full pipe (EAGAIN, non-blocking stdout) is waited for, briefly. */
function writeAllBlocking(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  for (let off = 0; off < buf.length; ) {
    try {
      off += fs.writeSync(fd, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_MS);
    }
  }
}

/**
 * One line writer on `fd` (default: standard output). The first failure (the reader went away)
 * is reported once through `onError`, and later lines are dropped: the run decides what to do.
 */
export function stdoutSink(onError: (name: string, err: unknown) => void, fd = STDOUT_FD): (line: string) => void {
  let failed = false;
  return (line) => {
    if (failed) return;
    try {
      writeAllBlocking(fd, line.endsWith('\n') ? line : `${line}\n`);
    } catch (err) {
      failed = true;
      onError(STDOUT_NAME, err);
    }
  };
}
