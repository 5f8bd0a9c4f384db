// The demo's write-back part (WRITEBACK_TABLE): the tickets' statuses land in a PostgreSQL
// table; an agent then moves one ticket on in Jira, and the next run pulls the change. The
// table is printed before and after, as the web form's owners would query it.
import pg from 'pg';
import { expectCode } from './demoCli.js';
import type { Demo } from './demoHardParts.js';

const TABLE = 'jira_sync_requests';

async function printTable(d: Demo): Promise<{ ticket_key: string; status: string }[]> {
  const client = new pg.Client({ connectionString: d.databaseUrl });
  await client.connect();
  try {
    const rows = (
      await client.query<{ source_id: string; ticket_key: string; status: string; status_category: string; resolution: string | null }>(
        `SELECT source_id, ticket_key, status, status_category, resolution FROM ${TABLE} ORDER BY source_id::int`,
      )
    ).rows;
    d.out(`  ${'source_id'.padEnd(10)} ${'ticket'.padEnd(8)} ${'status'.padEnd(20)} ${'category'.padEnd(14)} resolution`);
    for (const r of rows) d.out(`  ${r.source_id.padEnd(10)} ${r.ticket_key.padEnd(8)} ${r.status.padEnd(20)} ${r.status_category.padEnd(14)} ${r.resolution ?? ''}`);
    return rows;
  } finally {
    await client.end();
  }
}

/** Returns the ticket that changed and its new status, as the table shows it. `doneStatus`: the
 *  workflow's resolved status (the service desk's "Resolved", a plain project's "Done"). */
export async function showWriteback(d: Demo, doneStatus: string): Promise<{ ticket: string; status: string }> {
  const env = { WRITEBACK_TABLE: TABLE };
  d.heading(`Write-back: every ticket's status in PostgreSQL (WRITEBACK_TABLE=${TABLE})`);
  d.out('jira-sync creates the table in the source database and fills it: one row per submission with its ticket and status.');
  await d.cli.runWith(['pull'], env).then((code) => expectCode('pull', code, 0));
  await printTable(d);

  const ticket = d.jira.issues[0]?.key ?? '';
  d.out('');
  d.out(`In Jira, an agent starts work on ${ticket} and then resolves it as Done.`);
  d.jira.transition(ticket, 'In Progress');
  d.jira.resolve(ticket, 'Done', doneStatus);
  d.out('The next run creates what is new (nothing here) and pulls what changed in Jira since its checkpoint:');
  await d.cli.runWith(['run'], env).then((code) => expectCode('run', code, 0));
  const rows = await printTable(d);
  const status = rows.find((r) => r.ticket_key === ticket)?.status ?? '(no row)';
  if (status !== doneStatus) throw new Error(`the table shows ${ticket} as ${status}, not ${doneStatus}`);
  d.out(`${ticket} is now "${status}" in PostgreSQL: the web form can show its requester where the request stands.`);
  return { ticket, status };
}
