// `npm run demo`: the whole job, end to end, on a machine where nothing is configured. A local
// PostgreSQL (found like the tests find one) gets a fresh database with a dozen phone-equipment
// requests, a fake Jira listens on 127.0.0.1, and the real CLI (dist/cli.js) runs against them in
// a temporary folder: map-fields, run, run again, status. Then it shows the tickets it made.
// Everything it made is removed at the end, also when a step fails or on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { defaultRequestTypeFields, startFakeJira, type FakeIssue } from '../tests/support/fakeJira/index.js';
import { createDatabase, findPostgres } from '../tests/support/postgres.js';
import { SEED_DDL, SEED_REQUESTS } from './demoData.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const EMAIL = 'demo-robot@example.com';
const TOKEN = 'demo-api-token-not-a-real-one';

type Out = (line: string) => void;

function heading(out: Out, n: number, title: string): void {
  out('');
  out(`== ${n}. ${title} ${'='.repeat(Math.max(3, 70 - title.length))}`);
}

/** Runs the real CLI; prints what it printed, indented, and returns its exit code. */
function cli(out: Out, args: string[], workspace: string, env: Record<string, string>): Promise<number> {
  out(`$ jira-sync ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: workspace,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      for (const line of text.trimEnd().split('\n')) out(`    ${line}`);
      out(`  (exit code ${code ?? 'none'})`);
      resolve(code ?? 1);
    });
  });
}

function fieldValue(value: unknown, options: Map<string, string>): string {
  const one = (v: unknown): string => {
    if (v !== null && typeof v === 'object' && 'id' in v) return options.get(String((v as { id: unknown }).id)) ?? String((v as { id: unknown }).id);
    return typeof v === 'string' ? v : JSON.stringify(v);
  };
  return Array.isArray(value) ? value.map(one).join(', ') : one(value);
}

function showTicket(out: Out, issue: FakeIssue): void {
  const fields = defaultRequestTypeFields();
  const options = new Map(fields.flatMap((f) => (f.validValues ?? []).map((o) => [o.value, o.label] as [string, string])));
  out(`${issue.key}  ${issue.summary ?? ''}`);
  for (const f of fields) {
    const value = issue.fields[f.fieldId];
    if (value === undefined || f.fieldId === 'summary') continue;
    // The description lists every submitted field; its line count says that without the noise.
    const shown = f.fieldId === 'description' ? `${String(value).split('\n').length} lines listing every submitted field` : fieldValue(value, options);
    out(`    ${`${f.name}:`.padEnd(17)} ${shown}`);
  }
  out(`    ${'Attachments:'.padEnd(17)} ${issue.attachments.map((a) => a.filename).join(', ') || '(none)'}`);
}

export async function demo(out: Out = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const cleanUp = async () => {
    // In reverse: the workspace and Jira go before the database, the database before its server.
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch((err: unknown) => out(`(clean-up step failed: ${String(err)})`));
  };
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    out('jira-sync demo: the whole job on this machine, with a fake Jira. Nothing outside a temporary database and folder is touched.');

    heading(out, 1, 'PostgreSQL: a fresh database with the web form table');
    const server = await findPostgres();
    cleanups.push(() => server.stop());
    const db = await createDatabase(server.adminUrl, 'jira_sync_demo');
    cleanups.push(() => db.drop());
    out(`Using the PostgreSQL from ${server.how}; created database ${db.name}.`);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(SEED_DDL);
      for (const [i, r] of SEED_REQUESTS.entries()) {
        await client.query(
          `INSERT INTO webform_submissions (created_at, email_address, department_name, new_user_name, equipment, needed_by, quantity, notes)
           VALUES (now() - make_interval(mins => $1), $2, $3, $4, $5, $6, $7, $8)`,
          [(SEED_REQUESTS.length - i) * 7, r.email, r.department, r.name, r.equipment, r.neededBy, r.quantity, r.notes],
        );
      }
    } finally {
      await client.end();
    }
    out(`Inserted ${SEED_REQUESTS.length} requests into webform_submissions, for example:`);
    for (const r of SEED_REQUESTS.slice(0, 3)) out(`  ${r.department.padEnd(12)} ${r.name.padEnd(18)} ${r.equipment}`);

    heading(out, 2, 'Jira: a fake Jira Service Management on 127.0.0.1');
    const jira = await startFakeJira({ auth: { email: EMAIL, apiToken: TOKEN } });
    cleanups.push(() => jira.close());
    out(`Listening at ${jira.url} with service desk 1 and request type 10 ("Request new phone equipment").`);

    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-demo-'));
    cleanups.push(() => fs.rmSync(workspace, { recursive: true, force: true }));
    const env = {
      DATABASE_URL: db.url,
      JIRA_BASE_URL: jira.url,
      JIRA_EMAIL: EMAIL,
      JIRA_API_TOKEN: TOKEN,
      JSM_SERVICE_DESK_ID: '1',
      JSM_REQUEST_TYPE_ID: '10',
    };
    out(`Working folder ${workspace}: the tracker, field_mapping.json and the logs go there.`);
    if (!fs.existsSync(CLI)) {
      out('dist/cli.js is missing: building it first (npm run build).');
      const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new Error('npm run build failed');
    }

    const steps: [string, string[]][] = [
      ["map-fields: match the request type's fields to the table's columns, write field_mapping.json", ['map-fields']],
      ['doctor: check everything a run needs, change nothing', ['doctor']],
      ['run: one batch, every new submission becomes a request with its row attached', ['run']],
      ['run again: nothing is new, so nothing is created twice', ['run']],
      ['status: what the runs did and what needs a person', ['status']],
    ];
    const created: number[] = [];
    for (const [i, [title, args]] of steps.entries()) {
      heading(out, 3 + i, title);
      const before = jira.issues.length;
      const code = await cli(out, args, workspace, env);
      if (code !== 0) throw new Error(`jira-sync ${args.join(' ')} exited with ${code}`);
      if (args[0] === 'run') {
        created.push(jira.issues.length - before);
        out(`This run created ${jira.issues.length - before} ticket${jira.issues.length - before === 1 ? '' : 's'} in Jira.`);
      }
    }

    heading(out, 3 + steps.length, `The ${jira.issues.length} tickets in Jira`);
    for (const issue of jira.issues) showTicket(out, issue);

    const [first, second] = created;
    if (first !== SEED_REQUESTS.length || second !== 0) throw new Error(`expected ${SEED_REQUESTS.length} tickets from the first run and 0 from the second, got ${first} and ${second}`);
    out('');
    out(`Demo finished: the first run created ${first} tickets, the second run created ${second}. Cleaning up.`);
    return 0;
  } catch (err) {
    out('');
    out(`Demo failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(fs.realpathSync(entry)).href) {
  process.exitCode = await demo();
}
