#!/usr/bin/env node
// The command line: commander wiring, configuration, and the one top-level error handler.
// This is the only place that exits (but for a forced stop, commands/runStop.ts); everything
// else throws typed errors (errors.ts).
import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import dotenv from 'dotenv';
import { loadConfig, type ConfigNeeds, type ResolvedConfig } from './config.js';
import { ConfigError, DependencyError, ExitCode, LockHeldError, UsageError, errorMessage, wasReported } from './errors.js';
// Commands are imported when they run, so --help, --version and status start fast.
import { makeRedactor } from './logging/redact.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

// Each command's --help lists the codes that command can end with, and only those.
const EXIT = {
  ok: '0  every submission went through, or there was nothing to do',
  someFailed: '1  the run finished but some submissions failed; they are recorded (see `jira-sync status`)',
  auditFound: '1  the audit found rows no run had fetched (it registered them unless --dry-run)',
  usage: '2  configuration or usage error',
  dependency: '3  a dependency is unreachable or refuses us (PostgreSQL down, Jira down, 401/403), or a file\n     jira-sync needs is broken (tracker, lock file, log file, full disk); the message names it',
  // audit reads PostgreSQL and the tracker only; it never calls Jira.
  auditDependency: '3  PostgreSQL is unreachable or refuses us, or a file jira-sync needs is broken\n     (tracker, lock file, log file, full disk); the message names it',
  locked: '4  another run holds the lock',
  signal: '130, 143  stopped by SIGINT or SIGTERM once the submissions in flight were done; the next run does the rest',
};
const exitCodesHelp = (...lines: string[]) => `\nExit codes:\n${lines.map((l) => `  ${l}`).join('\n')}`;
// The program's own --help lists the codes of all commands; audit's narrower 3 is in the general one.
const EXIT_CODES_HELP = exitCodesHelp(...Object.entries(EXIT).filter(([k]) => k !== 'auditDependency').map(([, v]) => v));

let secrets: string[] = [];
const print = (line: string) => process.stdout.write(`${makeRedactor(secrets)(line)}\n`);
const printError = (line: string) => process.stderr.write(`${makeRedactor(secrets)(line)}\n`);

function config(needs: ConfigNeeds = 'all'): ResolvedConfig {
  const c = loadConfig(process.env, needs, { envFileDir: process.cwd() });
  secrets = c.secrets;
  return c;
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a whole number of 1 or more, got "${value}"`);
  return Number(value);
}

function exitCodeOf(err: unknown): number {
  if (err instanceof ConfigError || err instanceof UsageError) return ExitCode.usage;
  if (err instanceof DependencyError) return ExitCode.dependency;
  if (err instanceof LockHeldError) return ExitCode.locked;
  return ExitCode.dependency;
}

function report(err: unknown): void {
  // A run that stopped has already said why, once, in its summary line.
  if (wasReported(err)) return;
  const redact = makeRedactor(secrets);
  if (err instanceof UsageError) {
    process.stderr.write(`jira-sync: usage: ${err.message}\n`);
  } else if (err instanceof ConfigError) {
    process.stderr.write(`jira-sync: configuration problem${err.problems.length > 1 ? 's' : ''}:\n${err.problems.map((p) => `  - ${redact(p)}`).join('\n')}\n`);
  } else if (err instanceof DependencyError || err instanceof LockHeldError) {
    // One line that names the problem and what to do; the stack only for whoever asked for detail.
    process.stderr.write(`jira-sync: ${redact(err.message)}\n`);
    if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') process.stderr.write(`${redact(err.stack ?? '')}\n`);
  } else {
    process.stderr.write(`jira-sync: unexpected error: ${redact(err instanceof Error ? (err.stack ?? err.message) : errorMessage(err))}\n`);
  }
}

export function buildProgram(): Command {
  const program = new Command('jira-sync')
    .description('Turns new PostgreSQL web-form submissions into Jira Service Management requests (or issues in a plain Jira project), each exactly once, with the submission attached as JSON.')
    .version(pkg.version, '-V, --version')
    .addHelpText('after', EXIT_CODES_HELP)
    // A usage mistake gets one line and a pointer, not the whole help: cron mail stays short.
    .showHelpAfterError('(add --help for usage and exit codes)')
    .exitOverride();

  program
    .command('run')
    .description('process one batch of new submissions')
    .option('--dry-run', 'print what would be sent for each submission; write nothing anywhere, call Jira not at all')
    .option('--batch-size <n>', 'at most this many submissions (default: BATCH_SIZE or 30)', positiveInt)
    .option('--concurrency <n>', 'Jira calls in flight for independent submissions (default: JIRA_CONCURRENCY or 4)', positiveInt)
    .version(pkg.version, '-V, --version')
    .addHelpText('after', exitCodesHelp(EXIT.ok, EXIT.someFailed, EXIT.usage, EXIT.dependency, EXIT.locked, EXIT.signal))
    .action(async (o: { dryRun?: boolean; batchSize?: number; concurrency?: number }) => {
      const { runCommand } = await import('./commands/run.js');
      process.exitCode = await runCommand(config(), { dryRun: o.dryRun === true, batchSize: o.batchSize, concurrency: o.concurrency, print });
    });

  program
    .command('pull')
    .description('bring the write-back table (WRITEBACK_TABLE) up to date with what changed in Jira since the last pull; `run` does this too')
    .option('--full', 're-read every ticket the tracker knows, 100 a call, mark the ones Jira no longer has as deleted, and write every row again (a table emptied or restored)')
    .version(pkg.version, '-V, --version')
    .addHelpText('after', exitCodesHelp('0  the table is up to date', EXIT.usage, '3  a dependency is unreachable or refuses us (PostgreSQL, Jira, the tracker); the checkpoint is kept', EXIT.locked))
    .action(async (o: { full?: boolean }) => {
      const { pullCommand } = await import('./commands/pull.js');
      process.exitCode = await pullCommand(config(), { full: o.full === true });
    });

  program
    .command('map-fields')
    .description("read the request type's fields (or the issue type's create screen) from Jira and write field_mapping.json, keeping hand edits")
    .option('--force', 'rebuild field_mapping.json from scratch, discarding hand edits (they are listed)')
    .option('--check', 'compare field_mapping.json with Jira and the table; change nothing; exit 2 if they differ')
    .version(pkg.version, '-V, --version')
    .addHelpText('after', exitCodesHelp('0  field_mapping.json written, or (--check) it matches Jira and the table', '2  configuration problem, or (--check) the file differs from Jira or the table', '3  a dependency is unreachable or refuses us (PostgreSQL, Jira); nothing was written'))
    .action(async (o: { force?: boolean; check?: boolean }) => {
      const { mapFieldsCommand } = await import('./commands/mapFields.js');
      process.exitCode = await mapFieldsCommand(config(), { force: o.force === true, check: o.check === true }, print);
    });

  program
    .command('status')
    .description('what the runs did, what failed and why, and what needs a person (reads the tracker only)')
    .option('--json', 'machine-readable output')
    .version(pkg.version, '-V, --version')
    .addHelpText('after', exitCodesHelp('0  status shown (also when no run has happened yet)', EXIT.usage, '3  the tracker cannot be read'))
    .action(async (o: { json?: boolean }) => {
      const { statusCommand } = await import('./commands/status.js');
      process.exitCode = await statusCommand(config('local'), { json: o.json === true }, print);
    });

  program
    .command('retry')
    .description('put failed and parked submissions back in the queue, due at the next run (correct the row first: it is re-read)')
    .argument('[ids...]', 'source ids, submission keys, or their first 8+ characters')
    .option('--all', 'every failed and parked submission')
    .version(pkg.version, '-V, --version')
    .addHelpText('after', exitCodesHelp('0  the named submissions were re-queued, or (--all) there was nothing to retry', '2  usage error, or a named submission matches nothing or several', '3  the tracker cannot be read'))
    .action(async (ids: string[], o: { all?: boolean }) => {
      if (o.all !== true && ids.length === 0) throw new UsageError('retry: name the submissions to retry (their key or source id), or use --all');
      // Both would silently mean --all, re-queueing more than was named.
      if (o.all === true && ids.length > 0) throw new UsageError(`retry: name submissions or use --all, not both (got ${ids.join(' ')} and --all)`);
      const { retryCommand } = await import('./commands/retry.js');
      process.exitCode = await retryCommand(config('local'), { all: o.all === true, ids }, print, printError);
    });

  program
    .command('audit')
    .description('compare every source row behind the cursor with the tracker; list and register the rows no run ever fetched, for the next run (exit 1 when it finds any)')
    .option('--dry-run', 'only list them; write nothing')
    .version(pkg.version, '-V, --version')
    .addHelpText('after', exitCodesHelp('0  no row was missed', EXIT.auditFound, EXIT.usage, EXIT.auditDependency, EXIT.locked))
    .action(async (o: { dryRun?: boolean }) => {
      const { auditCommand } = await import('./commands/audit.js');
      process.exitCode = await auditCommand(config(), { dryRun: o.dryRun === true }, print);
    });

  program
    .command('doctor')
    .description('check the configuration, PostgreSQL, Jira, the field mapping, the tracker, the lock and the log folder, and say how to fix each problem; changes nothing')
    .version(pkg.version, '-V, --version')
    .addHelpText('after', exitCodesHelp('0  nothing failed (warnings allowed)', '2  a configuration or field mapping problem (wins over 3)', '3  a dependency is unreachable or refuses us (PostgreSQL, Jira, the disk)'))
    .action(async () => {
      // The raw environment, not config(): doctor reports configuration problems as FAIL lines
      // and still runs the checks that do not need the broken variables.
      const { doctorCommand } = await import('./commands/doctor.js');
      process.exitCode = await doctorCommand(process.env, print);
    });

  const tracker = program
    .command('tracker')
    .description('move the tracker from its SQLite file into PostgreSQL (see `jira-sync tracker copy-to-postgres --help`)');
  tracker
    .command('copy-to-postgres')
    .description(
      'copy the SQLite tracker at TRACKER_PATH (every submission and its state, the cursor, seen rows, runs, audits, alert incidents) into the empty PostgreSQL tracker at TRACKER_DATABASE_URL, schema TRACKER_SCHEMA, in one transaction; holds both run locks while it copies and refuses a tracker that is not empty',
    )
    .version(pkg.version, '-V, --version')
    .addHelpText('after', exitCodesHelp(
        '0  copied; runs with TRACKER_DATABASE_URL set continue where the SQLite tracker stopped',
        '2  TRACKER_DATABASE_URL is unset, there is no SQLite tracker at TRACKER_PATH, the PostgreSQL\n     tracker is not empty, or the SQLite tracker is behind its high-water mark; nothing was copied',
        '3  PostgreSQL or the tracker file cannot be used; nothing was copied',
        EXIT.locked,
      ))
    .action(async () => {
      const { copyToPostgresCommand } = await import('./commands/tracker.js');
      process.exitCode = await copyToPostgresCommand(config('local'), print);
    });

  return program;
}

/** A reader that stopped reading (`jira-sync doctor | head -3`) closes our stdout: like
 *  `git log | head`, that ends the command quietly with 0, never with a stack. The next write
 *  would fail the same way, so there is nothing left to say and nowhere to say it. */
function endQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.ok);
    throw err;
  });
  // A closed stderr loses only messages: the command carries on and keeps its exit code, which
  // is then all that says how it went.
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

async function main(): Promise<void> {
  endQuietlyOnClosedStdout();
  dotenv.config({ quiet: true });
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage mistakes with 2 (commander printed them).
      process.exit(err.exitCode === 0 ? ExitCode.ok : ExitCode.usage);
    }
    report(err);
    process.exit(exitCodeOf(err));
  }
  process.exit(process.exitCode ?? ExitCode.ok);
}

await main();
