// How the demo runs the real CLI (dist/cli.js) as a child process: in the foreground, printing
// what it printed, or in the background so that the demo can kill it part-way. Every child is
// tracked, so the demo's clean-up (also on Ctrl-C) kills what is still running before it removes
// the folder and the database the child is using.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export type Out = (line: string) => void;

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  text: string;
}

export interface Background {
  pid: number;
  /** Resolves when the process has ended, after its output has been printed. */
  finished: Promise<Finished>;
}

export class DemoCli {
  private readonly live = new Set<ChildProcess>();
  private stopped = false;
  /** What the last foreground command printed (stdout and stderr). */
  lastOutput = '';

  constructor(
    private readonly out: Out,
    private readonly workspace: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Runs `jira-sync <args>` to the end; prints its output indented and its exit code. */
  async run(args: string[]): Promise<number> {
    this.out(`$ jira-sync ${args.join(' ')}`);
    const { code, text } = await this.start(args).finished;
    this.lastOutput = text;
    return code ?? 1;
  }

  /** Runs `jira-sync <args>` with more variables set, shown before the command as a shell would. */
  async runWith(args: string[], extraEnv: Record<string, string>): Promise<number> {
    this.out(`$ ${Object.entries(extraEnv).map(([k, v]) => `${k}=${v} `).join('')}jira-sync ${args.join(' ')}`);
    const { code, text } = await this.start(args, extraEnv).finished;
    this.lastOutput = text;
    return code ?? 1;
  }

  /** Starts `jira-sync <args>` and returns at once; its output is printed when it ends. */
  background(args: string[], extraEnv: Record<string, string> = {}): Background {
    const shown = Object.entries(extraEnv).map(([k, v]) => `${k}=${v} `).join('');
    this.out(`$ ${shown}jira-sync ${args.join(' ')} &`);
    const started = this.start(args, extraEnv);
    this.out(`  (running in the background as process ${started.pid})`);
    return started;
  }

  private start(args: string[], extraEnv: Record<string, string> = {}): Background {
    // After clean-up has begun (Ctrl-C), nothing new may start in a folder that is being removed.
    if (this.stopped) throw new Error('the demo is stopping');
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: this.workspace,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.live.add(child);
    let text = '';
    child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
    const finished = new Promise<Finished>((resolve, reject) => {
      child.on('error', (err) => {
        this.live.delete(child);
        reject(err);
      });
      child.on('close', (code, signal) => {
        this.live.delete(child);
        const printed = text.trimEnd();
        if (printed) for (const line of printed.split('\n')) this.out(`    ${line}`);
        else if (signal) this.out('    (nothing: it was killed before it could write a summary)');
        this.out(signal ? `  (killed by ${signal}: no exit code)` : `  (exit code ${code ?? 'none'})`);
        resolve({ code, signal, text });
      });
    });
    return { pid: child.pid ?? -1, finished };
  }

  /** Kills whatever is still running (clean-up): nothing may keep using the folder or database. */
  async stopAll(): Promise<void> {
    this.stopped = true;
    const waits = [...this.live].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          this.out(`Stopping jira-sync (process ${child.pid}), still running: its folder and database are about to go.`);
          child.kill('SIGKILL');
        }),
    );
    await Promise.all(waits);
  }
}

export function expectCode(what: string, code: number, expected: number): void {
  if (code !== expected) throw new Error(`jira-sync ${what} exited with ${code}, expected ${expected}`);
}
