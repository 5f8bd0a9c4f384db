// A real full disk: the tracker and the logs on a small tmpfs that fills up while a run is
// going. The run must end in bounded time with a line naming what to do, free the lock, and
// the next run (once there is room) must finish the job with no duplicate. Mounting needs
// root, so where the tests do not run as root this file is skipped (brokenFiles.test.ts covers
// a full log disk without mounting anything, through /dev/full).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { RunLock } from '../../src/adapters/tracker/lock.js';
import { runCli, startCli } from '../support/cli.js';
import { useCliHarness } from '../support/harness.js';
import { eventually, expectExactlyOnce } from '../support/scenario.js';
import { unwrap } from '../support/text.js';

const h = useCliHarness({ fake: { latencyMs: 300 } });
const CREATE = '/rest/servicedeskapi/request';

function mountTmpfs(dir: string): boolean {
  fs.mkdirSync(dir, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
}

let mounted: string | null = null;
afterEach(() => {
  if (mounted) spawnSync('umount', [mounted], { stdio: 'ignore' });
  mounted = null;
});

/** Writes until the disk says no: what a runaway file elsewhere on the same disk does. */
function fill(dir: string): void {
  const fd = fs.openSync(path.join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
}

it.runIf(process.getuid?.() === 0)('the disk fills mid-run: exit 3 in bounded time with a clear line, lock free, doctor says so; the next run finishes', async (ctx) => {
  const disk = path.join(h.ws.dir, 'disk');
  if (!mountTmpfs(disk)) ctx.skip(); // root without the right to mount (a container)
  mounted = disk;
  const env = { ...h.ws.env, TRACKER_PATH: path.join(disk, 'tracker', 'tracker.db'), LOG_DIR: path.join(disk, 'logs') };
  await h.seed(6);
  expect((await runCli(['map-fields'], { env })).code).toBe(0);

  const run = startCli(['run', '--concurrency', '1'], { env, timeoutMs: 60_000 });
  await eventually(() => h.jira.requests.some((r) => r.method === 'POST' && r.path === CREATE), 15_000);
  fill(disk);
  const r = await run.done;
  expect(r.signal, 'the run hung and was killed').toBeNull();
  expect(r.code, r.stderr).toBe(3);
  // Said once, in the run's summary line (which names the file and what to do).
  expect(r.stderr.split('\n').filter((l) => /disk is full|no space left on device/i.test(l)), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/stopped: .*(disk is full|no space left on device).*free space/im);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  const lockPath = RunLock.lockPathFor(env.TRACKER_PATH);
  expect(RunLock.currentHolder(lockPath)).toBeNull();
  expect(h.jira.issues.length).toBeLessThan(6);

  const doctor = await runCli(['doctor'], { env });
  expect(unwrap(doctor.stdout)).toMatch(/^FAIL (tracker|log folder): the disk holding .* is full/m);

  fs.rmSync(path.join(disk, 'filler'));
  const next = await runCli(['run'], { env });
  expect(next.code, next.stderr).toBe(0);
  await expectExactlyOnce(h.db, h.jira, { ...h.ws, trackerPath: env.TRACKER_PATH }, 6);
}, 90_000);
