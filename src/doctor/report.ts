// What `jira-sync doctor` prints, and the exit code it adds up to. Each check prints as soon as
// it is done, so a person watching sees which check is slow, and a check that hangs is named.
import { ExitCode } from '../errors.js';
import { wrapLine } from '../wrap.js';

/**
 * Which exit code a failure means, as for `run`: 'config' is something to fix in .env,
 * field_mapping.json or Jira's setup (2); 'dependency' is PostgreSQL, Jira or the disk being
 * unreachable or refusing us (3).
 */
export type FailKind = 'config' | 'dependency';

export interface Failure {
  kind: FailKind;
  what: string;
  detail: string;
  /** One line telling a person what to do. */
  fix: string;
  /** Further lines under the failure, e.g. every difference in the mapping. */
  items?: string[];
}

const FIX_INDENT = '     ';

export class DoctorReport {
  private config = 0;
  private dependency = 0;
  private warnings = 0;

  private readonly print: (line: string) => void;

  /** Lines longer than the console are wrapped under their text (after "FAIL ", "- ", "fix: "). */
  constructor(print: (line: string) => void) {
    this.print = (line) => {
      const indent = /^ +(- |fix: )/.exec(line)?.[0].length ?? FIX_INDENT.length;
      for (const l of wrapLine(line, indent)) print(l);
    };
  }

  ok(what: string, detail?: string): void {
    this.print(`ok   ${what}${detail ? `: ${detail}` : ''}`);
  }

  warn(what: string, detail: string, fix: string): void {
    this.warnings += 1;
    this.print(`WARN ${what}: ${detail}`);
    this.print(`${FIX_INDENT}fix: ${fix}`);
  }

  fail(f: Failure): void {
    if (f.kind === 'config') this.config += 1;
    else this.dependency += 1;
    this.print(`FAIL ${f.what}: ${f.detail}`);
    for (const item of f.items ?? []) this.print(`${FIX_INDENT}- ${item}`);
    this.print(`${FIX_INDENT}fix: ${f.fix}`);
  }

  /** A check that could not run because an earlier one failed; it counts for nothing itself. */
  skip(what: string, why: string): void {
    this.print(`--   ${what}: not checked (${why})`);
  }

  get failures(): number {
    return this.config + this.dependency;
  }

  /**
   * 2 wins over 3: a configuration mistake is usually why a dependency "refuses" us (a wrong
   * URL, a wrong table), and it is what a person must fix first.
   */
  exitCode(): number {
    if (this.config > 0) return ExitCode.usage;
    if (this.dependency > 0) return ExitCode.dependency;
    return ExitCode.ok;
  }

  finish(): number {
    // "1 problem (1 warning)" read as two things wrong; failures and warnings are named apart.
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    this.print('');
    if (this.failures === 0) this.print(`All checks passed${this.warnings > 0 ? ` (${plural(this.warnings, 'warning')})` : ''}. Nothing was changed.`);
    else {
      const counts = [plural(this.failures, 'failure'), ...(this.warnings > 0 ? [plural(this.warnings, 'warning')] : [])].join(', ');
      this.print(`${counts}: fix the FAIL lines above, then run \`jira-sync doctor\` again. Nothing was changed.`);
    }
    return this.exitCode();
  }
}
