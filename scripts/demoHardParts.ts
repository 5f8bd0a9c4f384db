// The two parts of the demo that show what an operator worries about, with the real CLI:
// 1. a request Jira cannot take (a department its drop-down does not offer): the run fails it,
//    `status` says what to do, a person corrects the row in PostgreSQL, `retry`, and the next
//    run creates it with the corrected value;
// 2. a run killed with SIGKILL while create calls are in flight (the fake Jira makes the tickets
//    at once but holds its answers, so the moment is certain), then a run that finishes the job
//    by finding those tickets by their marker: one ticket per submission, no duplicate.
// Each part checks in Jira and PostgreSQL that what it says happened did happen, and throws if not.
import pg from 'pg';
import type { FakeJira } from '../tests/support/fakeJira/index.js';
import { expectCode, type DemoCli, type Out } from './demoCli.js';
import { BAD_DEPARTMENT, LATER_REQUESTS, SEED_REQUESTS, insertRequests } from './demoData.js';
import { shownValue, showTicket, sourceIdOf, ticketsFor, type DemoField } from './demoShow.js';

export interface Demo {
  out: Out;
  heading: (title: string) => void;
  cli: DemoCli;
  jira: FakeJira;
  /** The request type's fields, or (issue mode) the issue type's create screen. */
  fields: DemoField[];
  /** The create call's path (JSM's, or the issue API's), and the Department field's id. */
  createPath: string;
  departmentField: string;
  /** What a submission becomes: "a request", or (issue mode) "an issue". */
  aTicket: string;
  databaseUrl: string;
  seedIds: string[];
  /** Every submission in PostgreSQL, by source id; the later requests are added when inserted. */
  allIds: string[];
}

/** Submissions in flight when the run is killed: JIRA_CONCURRENCY, so every lane is waiting on Jira. */
const IN_FLIGHT = 4;
/** How long Jira holds its answers; the kill comes within milliseconds of the last call arriving. */
const HOLD_MS = 10_000;

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** Part 1: a failure, status explaining it, the row corrected, retry, and the ticket. Returns its key. */
export async function failAndFix(d: Demo): Promise<string> {
  const { out, cli, jira } = d;
  const badIndex = SEED_REQUESTS.findIndex((r) => r.department === BAD_DEPARTMENT.typed);
  const badId = d.seedIds[badIndex] ?? '';

  d.heading(`run: every new submission becomes ${d.aTicket} with its row attached; one cannot`);
  expectCode('run', await cli.run(['run']), 1);
  const made = jira.issues.length;
  out(`This run created ${plural(made, 'ticket')} in Jira. Exit code 1 means: the run finished, but a submission failed.`);
  out(`Source id ${badId} asks for department "${BAD_DEPARTMENT.typed}", which the Department drop-down does not offer,`);
  out(`and jira-sync checks every value against the field's options before it calls Jira, so nothing was sent for it.`);
  out(`One bad submission never stops the others: the other ${made} went through.`);
  check(made === SEED_REQUESTS.length - 1, `expected ${SEED_REQUESTS.length - 1} tickets from the first run, got ${made}`);
  check(ticketsFor(jira.issues, badId).length === 0, `source id ${badId} got a ticket with a department Jira does not offer`);

  d.heading('status: what failed, why, and what to do about it');
  expectCode('status', await cli.run(['status']), 0);
  out(`Under "Needs attention", source id ${badId} shows the error (the value, and the options Jira's field offers) and`);
  out('what to do: correct the row, then retry it. Left alone, runs would retry it 15 minutes later, then 30, 60, ...,');
  out('and it would fail the same way each time until it is parked for a person.');

  d.heading('A person corrects the row in PostgreSQL');
  out(`$ psql -c "UPDATE webform_submissions SET department_name = '${BAD_DEPARTMENT.corrected}' WHERE id = ${badId};"`);
  const client = new pg.Client({ connectionString: d.databaseUrl });
  await client.connect();
  try {
    const res = await client.query('UPDATE webform_submissions SET department_name = $1 WHERE id = $2', [BAD_DEPARTMENT.corrected, badId]);
    out(`    UPDATE ${res.rowCount ?? 0}`);
    check(res.rowCount === 1, `the UPDATE of source id ${badId} changed ${res.rowCount ?? 0} rows`);
  } finally {
    await client.end();
  }
  out('A submission that has no ticket yet is built from its row as it is now, so the corrected value is what Jira');
  out('will get. Its key stays the same: it is still the same submission, not a new one.');

  d.heading('retry: put it back in the queue, due at once');
  expectCode(`retry ${badId}`, await cli.run(['retry', badId]), 0);

  d.heading('run: the corrected request becomes a ticket');
  const before = jira.issues.length;
  expectCode('run', await cli.run(['run']), 0);
  const created = jira.issues.slice(before);
  out(`This run created ${plural(created.length, 'ticket')} in Jira:`);
  for (const issue of created) showTicket(out, d.fields, issue);
  const tickets = ticketsFor(jira.issues, badId);
  check(created.length === 1 && tickets.length === 1 && created[0] === tickets[0], `expected the run to create one ticket, for source id ${badId}; it created ${created.length}`);
  const department = shownValue(d.fields, tickets[0] as (typeof tickets)[number], d.departmentField);
  check(department === BAD_DEPARTMENT.corrected, `source id ${badId}'s ticket has department ${department ?? '(none)'}, not the corrected ${BAD_DEPARTMENT.corrected}`);
  out(`Source id ${badId} is ${tickets[0]?.key} with Department "${department}", the corrected value.`);
  return tickets[0]?.key ?? '';
}

/** Part 2: a run killed with requests in flight, and the run that finishes its job. */
export async function crashAndFinish(d: Demo): Promise<{ inFlight: number }> {
  const { out, cli, jira } = d;

  d.heading('New requests arrive while Jira answers slowly');
  const later = await insertRequests(d.databaseUrl, LATER_REQUESTS, 0, 0);
  d.allIds.push(...later);
  jira.injectFault({ kind: 'delay', ms: HOLD_MS, times: IN_FLIGHT, match: { method: 'POST', path: d.createPath } });
  out(`Inserted ${LATER_REQUESTS.length} more requests (source ids ${later[0]} to ${later.at(-1)}).`);
  out(`For the next ${IN_FLIGHT} create calls, Jira makes the ticket at once but takes ${HOLD_MS / 1000} s to answer, as a busy Jira does.`);

  d.heading(`run, killed with kill -9 while ${IN_FLIGHT} requests are in flight`);
  out(`jira-sync works on ${IN_FLIGHT} submissions at a time (JIRA_CONCURRENCY). When all ${IN_FLIGHT} create calls have reached Jira,`);
  out('the demo kills the run without warning, as a power cut or the out-of-memory killer would: no clean-up at all.');
  const before = jira.issues.length;
  const run = cli.background(['run'], { JIRA_CONCURRENCY: String(IN_FLIGHT) });
  let ended = false;
  run.finished.then(
    () => (ended = true),
    () => (ended = true),
  );
  const reached = await until(() => ended || jira.issues.length - before >= IN_FLIGHT, 20_000);
  check(reached && !ended, `the run ${ended ? 'ended' : 'had not sent its create calls'} before it could be killed (Jira made ${jira.issues.length - before} tickets)`);
  const inFlight = jira.issues.slice(before);
  const answered = jira.requests.filter((r) => r.method === 'POST' && r.path === d.createPath && r.fault === 'delay' && r.status !== 0);
  check(answered.length === 0, 'Jira answered a held create call before the kill');
  out(`Jira has made ${inFlight.map((i) => i.key).join(', ')} (source ids ${inFlight.map(sourceIdOf).join(', ')}); its answers are still on the way.`);
  out(`$ kill -9 ${run.pid}`);
  process.kill(run.pid, 'SIGKILL');
  const finished = await run.finished;
  check(finished.signal === 'SIGKILL', `the run ended with ${finished.signal ?? `exit code ${finished.code}`}, not by the kill`);
  check(jira.issues.length - before === IN_FLIGHT, `Jira made ${jira.issues.length - before} tickets before the kill, not ${IN_FLIGHT}`);
  out(`The run is gone. It never heard back about those ${IN_FLIGHT}: for all it knows, Jira may or may not have made`);
  out(`their tickets. The other ${LATER_REQUESTS.length - IN_FLIGHT} new requests were never started.`);

  d.heading('status after the crash');
  expectCode('status', await cli.run(['status']), 0);
  out('The killed run shows as "unfinished", with no exit code. The submissions it left in "creating" are exactly the');
  out('ones a careless retry would create twice.');

  d.heading('run: finishes the job, with no duplicate');
  out('For a submission left in "creating", jira-sync first searches Jira for its marker (the label jira-sync-<key>');
  out('that every ticket it makes carries). Found: the ticket is adopted, not created again.');
  const beforeFinish = jira.issues.length;
  expectCode('run', await cli.run(['run']), 0);
  const created = jira.issues.length - beforeFinish;
  out(`Jira got ${plural(created, 'new ticket')}, for the requests the killed run never started. The ${IN_FLIGHT} tickets it had`);
  out(`already made (${inFlight.map((i) => i.key).join(', ')}) were found by their marker, adopted and given their attachments.`);
  const summarised = /created (\d+)/.exec(cli.lastOutput)?.[1];
  if (summarised === String(LATER_REQUESTS.length)) {
    out(`Its summary line says "created ${summarised}": it counts every submission that got its ticket in this run, adopted ones too.`);
  }
  check(created === LATER_REQUESTS.length - IN_FLIGHT, `expected ${LATER_REQUESTS.length - IN_FLIGHT} new tickets after the crash, got ${created}`);
  for (const issue of inFlight) check(issue.attachments.length === 1, `${issue.key} has ${issue.attachments.length} attachments after the run that finished the job`);

  d.heading('run again: nothing is new, so nothing is created twice');
  const beforeAgain = jira.issues.length;
  expectCode('run', await cli.run(['run']), 0);
  out(`This run created ${plural(jira.issues.length - beforeAgain, 'ticket')} in Jira.`);
  check(jira.issues.length === beforeAgain, `the last run created ${jira.issues.length - beforeAgain} tickets`);
  return { inFlight: IN_FLIGHT };
}
