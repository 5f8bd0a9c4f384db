// How the benchmark measures a process: the real CLI (or `node -e 0`) as a child, its wall
// time from spawn to exit, and its peak resident memory. Peak RSS comes from GNU time's %M
// where /usr/bin/time exists (exact, read by the kernel at exit); otherwise from polling
// VmHWM in /proc (the kernel's own high-water mark, so a poll that misses the peak moment
// still sees it, unless the peak comes in the last poll interval). CPU time (user + system)
// comes from GNU time's %U and %S only (10 ms resolution), else it is not reported.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Measured {
  code: number | null;
  wallMs: number;
  /** Peak resident set size in MiB, or null where neither method is available. */
  peakRssMb: number | null;
  /** CPU time (user + system) of the process in ms, from GNU time; null without it. */
  cpuMs: number | null;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';
let gnuTime: boolean | undefined;

function hasGnuTime(): boolean {
  gnuTime ??= fs.existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', '-o', os.devNull, 'true']).status === 0;
  return gnuTime;
}

function vmHwmKb(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null; // exited already, or not Linux
  }
}

/** Runs `node <args>` to completion; kills it after timeoutMs. Never rejects for a non-zero exit. */
export function measureNode(args: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<Measured> {
  const timeFile = path.join(os.tmpdir(), `jira-sync-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const viaTime = hasGnuTime();
  const [cmd, argv] = viaTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, argv, {
      cwd: opts.cwd,
      // Only PATH and HOME from here: the CLI sees exactly the configuration the benchmark sets.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let polledKb: number | null = null;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = viaTime || child.pid === undefined ? undefined : setInterval(() => (polledKb = vmHwmKb(child.pid as number) ?? polledKb), 20);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      let kb = polledKb;
      let cpuMs: number | null = null;
      if (viaTime) {
        const text = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : '';
        fs.rmSync(timeFile, { force: true });
        // GNU time prints "Command exited with non-zero status N" before the figures.
        const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(text.trim());
        kb = m ? Number(m[1]) : null;
        cpuMs = m ? (Number(m[2]) + Number(m[3])) * 1000 : null;
      }
      resolve({ code, wallMs, peakRssMb: kb === null ? null : kb / 1024, cpuMs, stdout, stderr });
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function machine(): { cpu: string; cores: number; memoryGb: number; node: string; os: string } {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

export function rssMethod(): string {
  return hasGnuTime() ? 'GNU time %M' : fs.existsSync('/proc/self/status') ? 'polled /proc VmHWM' : 'unavailable';
}
