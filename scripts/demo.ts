// `npm run demo`: the whole job, end to end, on a machine where nothing is configured. A local
// PostgreSQL (found like the tests find one) gets a fresh database with a dozen phone-equipment
// requests, a fake Jira listens on 127.0.0.1, and the real CLI (dist/cli.js) runs against them in
// a temporary folder. Besides the everyday runs it shows the two things an operator worries
// about (scripts/demoHardParts.ts): a request that fails and how a person fixes it, and a run
// killed part-way whose work the next run finishes without a duplicate; and the write-back table
// (scripts/demoWriteback.ts) following a ticket's status in Jira.
// Everything it made is removed at the end, also when a step fails or on Ctrl-C.
// `npm run demo -- --issue-mode` does the same with a plain Jira project (no Service Management):
// JIRA_PROJECT_KEY + JIRA_ISSUE_TYPE, issues created through Jira's issue API.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { defaultIssueTypes, startFakeJira } from '../tests/support/fakeJira/index.js';
import { createDatabase, findPostgres } from '../tests/support/postgres.js';
import { CLI, DemoCli, ROOT, expectCode, type Out } from './demoCli.js';
import { DEPARTMENTS, SEED_DDL, SEED_REQUESTS, demoRequestTypeFields, demoTaskFields, insertRequests, screenAsDemoFields } from './demoData.js';
import { crashAndFinish, failAndFix, type Demo } from './demoHardParts.js';
import { showTicketsPerSubmission } from './demoShow.js';
import { showWriteback } from './demoWriteback.js';

const EMAIL = 'demo-robot@example.com';
const TOKEN = 'demo-api-token-not-a-real-one';

export async function demo(out: Out = (line) => process.stdout.write(`${line}\n`), opts: { issueMode?: boolean } = {}): Promise<number> {
  const issueMode = opts.issueMode === true;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  let cleaning: Promise<void> | undefined;
  // One clean-up, whoever asks first (the end of the demo or a signal); the other waits for it.
  const cleanUp = () =>
    (cleaning ??= (async () => {
      // In reverse: running CLIs, then the workspace and Jira, then the database, then its server.
      for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch((err: unknown) => out(`(clean-up step failed: ${String(err)})`));
    })());
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = signal;
    out('');
    out(`${signal}: stopping the demo and cleaning up.`);
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let n = 0;
  const heading = (title: string) => {
    out('');
    out(`== ${++n}. ${title} ${'='.repeat(Math.max(3, 70 - title.length))}`);
  };
  try {
    out('jira-sync demo: the whole job on this machine, with a fake Jira. Nothing outside a temporary database and folder is touched.');

    heading('PostgreSQL: a fresh database with the web form table');
    const server = await findPostgres();
    cleanups.push(() => server.stop());
    const db = await createDatabase(server.adminUrl, 'jira_sync_demo');
    cleanups.push(() => db.drop());
    out(`Using the PostgreSQL from ${server.how}; created database ${db.name}.`);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(SEED_DDL).finally(() => client.end());
    const seedIds = await insertRequests(db.url, SEED_REQUESTS, 7, 7);
    out(`Inserted ${SEED_REQUESTS.length} requests into webform_submissions, for example:`);
    for (const r of SEED_REQUESTS.slice(0, 3)) out(`  ${r.department.padEnd(16)} ${r.name.padEnd(18)} ${r.equipment}`);

    heading(issueMode ? 'Jira: a fake Jira with a plain project (no Service Management) on 127.0.0.1' : 'Jira: a fake Jira Service Management on 127.0.0.1');
    const screen = demoTaskFields();
    const jira = issueMode
      ? await startFakeJira({ auth: { email: EMAIL, apiToken: TOKEN }, issueTypes: defaultIssueTypes().map((t) => (t.name === 'Task' ? { ...t, fields: screen } : t)) })
      : await startFakeJira({ auth: { email: EMAIL, apiToken: TOKEN }, requestTypes: { '10': demoRequestTypeFields() } });
    cleanups.push(() => jira.close());
    const fields = issueMode ? screenAsDemoFields(screen) : demoRequestTypeFields();
    out(issueMode
      ? `Listening at ${jira.url} with project ITS and its issue type Task, created through the issue API (two calls an issue).`
      : `Listening at ${jira.url} with service desk 1 and request type 10 ("Request new phone equipment").`);
    out(`Its Department field is a drop-down offering: ${DEPARTMENTS.join(', ')}.`);

    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-demo-'));
    cleanups.push(() => fs.rmSync(workspace, { recursive: true, force: true }));
    const env = {
      DATABASE_URL: db.url,
      JIRA_BASE_URL: jira.url,
      JIRA_EMAIL: EMAIL,
      JIRA_API_TOKEN: TOKEN,
      ...(issueMode ? { JIRA_PROJECT_KEY: 'ITS', JIRA_ISSUE_TYPE: 'Task' } : { JSM_SERVICE_DESK_ID: '1', JSM_REQUEST_TYPE_ID: '10' }),
    };
    const cli = new DemoCli(out, workspace, env);
    cleanups.push(() => cli.stopAll());
    out(`Working folder ${workspace}: the tracker, field_mapping.json and the logs go there.`);
    if (!fs.existsSync(CLI)) {
      out('dist/cli.js is missing: building it first (npm run build).');
      const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new Error('npm run build failed');
    }

    const d: Demo = {
      out, heading, cli, jira, fields, databaseUrl: db.url, seedIds, allIds: [...seedIds],
      createPath: issueMode ? '/rest/api/3/issue' : '/rest/servicedeskapi/request',
      departmentField: issueMode ? 'customfield_10020' : 'customfield_10011',
      aTicket: issueMode ? 'an issue' : 'a request',
    };
    heading(issueMode ? "map-fields: match the create screen's fields (every page of them) to the table's columns" : "map-fields: match the request type's fields to the table's columns, write field_mapping.json");
    await d.cli.run(['map-fields']).then((code) => expectCode('map-fields', code, 0));
    heading('doctor: check everything a run needs, change nothing');
    await d.cli.run(['doctor']).then((code) => expectCode('doctor', code, 0));

    const fixed = await failAndFix(d);
    const crash = await crashAndFinish(d);

    heading('Every submission has exactly one ticket');
    out(`PostgreSQL holds ${d.allIds.length} submissions and Jira ${jira.issues.length} tickets. Each ticket's description lists the row it was made from:`);
    const wrong = showTicketsPerSubmission(out, jira.issues, d.allIds);
    if (wrong.length > 0) throw new Error(`not exactly one ticket each: ${wrong.join(', ')}`);
    const pulled = await showWriteback(d, issueMode ? 'Done' : 'Resolved');
    out('');
    out(`Demo finished: ${d.allIds.length} submissions, ${jira.issues.length} tickets, exactly one each.`);
    out(`The failed request became ${fixed} after its row was corrected; the run killed with ${crash.inFlight} requests in flight was finished by the next run with no duplicate.`);
    out(`The write-back table followed ${pulled.ticket} to "${pulled.status}" one run after it changed in Jira.`);
    out('Cleaning up.');
    return 0;
  } catch (err) {
    // A signal's clean-up makes the step in progress fail; that is the stop, not a failure.
    if (signalled) return signalled === 'SIGINT' ? 130 : 143;
    out('');
    out(`Demo failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await cleanUp();
    if (!signalled) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(fs.realpathSync(entry)).href) {
  const code = await demo(undefined, { issueMode: process.argv.includes('--issue-mode') });
  // Exit now: the fake Jira may still be holding answers (to the killed run) that nobody will read.
  process.exit(code);
}
