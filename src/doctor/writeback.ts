// Doctor's check of the write-back table (WRITEBACK_TABLE): it exists with the right columns and
// jira-sync may read and write it, or, when it is missing, the first run may create it.
// Read-only: nothing is created here.
import { WRITEBACK_COLUMNS, WritebackTable, writebackDdl } from '../adapters/postgres/writebackTable.js';
import type { ResolvedConfig } from '../config.js';
import { errorMessage } from '../errors.js';
import { makeRedactor } from '../logging/index.js';
import type { DoctorReport } from './report.js';

const README = 'README, "Write-back"';

export async function checkWritebackTable(r: DoctorReport, config: ResolvedConfig, table: string): Promise<void> {
  const what = 'write-back table';
  const redact = makeRedactor(config.secrets);
  let wb: WritebackTable;
  try {
    wb = await WritebackTable.connect(config.databaseUrl, table);
  } catch (err) {
    r.fail({ kind: 'dependency', what, detail: redact(errorMessage(err)), fix: 'check DATABASE_URL and that the server is running' });
    return;
  }
  try {
    const c = await wb.check();
    if (!c.exists) {
      if (c.canCreate) r.ok(what, `"${table}" does not exist yet; the first run creates it`);
      else if (!c.schemaExists) r.fail({ kind: 'config', what, detail: `the schema of "${table}" does not exist`, fix: `create the schema, or set WRITEBACK_TABLE to a table in one that exists (${README})` });
      else r.fail({ kind: 'dependency', what, detail: `"${table}" does not exist and this user may not create it`, fix: `have a DBA create it with the DDL and GRANTs in the ${README}: ${writebackDdl(table).replace(/\s+/g, ' ')}` });
      return;
    }
    const problems: string[] = [];
    for (const col of WRITEBACK_COLUMNS) {
      const type = c.columns.get(col.name);
      if (type === undefined) problems.push(`column ${col.name} (${col.type}) is missing`);
      else if (type !== col.type) problems.push(`column ${col.name} is ${type}, not ${col.type}`);
    }
    if (problems.length > 0) {
      r.fail({ kind: 'config', what, detail: `"${table}" does not have the columns jira-sync writes`, items: problems, fix: `alter the table to match the DDL in the ${README}, or set WRITEBACK_TABLE to a new table (the first run creates it)` });
      return;
    }
    if (!c.canWrite) {
      r.fail({ kind: 'dependency', what, detail: `this user may not read and write "${table}"`, fix: `GRANT SELECT, INSERT, UPDATE ON ${table} TO the user in DATABASE_URL (${README})` });
      return;
    }
    r.ok(what, `"${table}" has the right columns and jira-sync may write it`);
  } catch (err) {
    r.fail({ kind: 'dependency', what, detail: redact(errorMessage(err)), fix: 'check that PostgreSQL answers, then run doctor again' });
  } finally {
    await wb.close();
  }
}
