// Rows dated in the future or at ±infinity, through the real CLI: each is processed once, in
// the run that reaches it, and none of them drags the cursor past the database's own clock,
// so rows inserted afterwards are still fetched. Several runs, exactly once each.
import { openSqlite } from '../../src/adapters/tracker/sqlite.js';
import { describe, expect, it } from 'vitest';
import { insertSubmissions, sampleSubmission } from '../support/db.js';
import { trackerRows, useCliHarness } from '../support/harness.js';
import { expectExactlyOnce } from '../support/scenario.js';

const h = useCliHarness();

async function runOk(expectCreated: number): Promise<void> {
  const r = await h.cli(['run']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(new RegExp(`created ${expectCreated}, skipped 0, failed 0, parked 0`));
}

/** Rows stamped by the database at insert time, like the web form's DEFAULT now(). */
async function insertNow(from: number, n: number): Promise<void> {
  for (let i = from; i < from + n; i++) {
    const { created_at: _ignored, ...row } = sampleSubmission(i);
    await insertSubmissions(h.db.client, [row]);
  }
}

function cursorTs(): string {
  const t = openSqlite(h.ws.trackerPath, { readonly: true });
  try {
    return (t.prepare('SELECT source_ts FROM cursor').get() as { source_ts: string }).source_ts;
  } finally {
    t.close();
  }
}

describe('timestamps in the future and at infinity', () => {
  it('an `infinity` row is processed once and does not hide the rows inserted after it', async () => {
    await insertNow(0, 1);
    await insertSubmissions(h.db.client, [sampleSubmission(1, { created_at: 'infinity' })]);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    await runOk(2);
    expect(cursorTs()).not.toBe('infinity');

    await insertNow(2, 2);
    await runOk(2);
    await insertNow(4, 1);
    await runOk(1);
    await runOk(0);
    await expectExactlyOnce(h.db, h.jira, h.ws, 5);
  });

  it('a `-infinity` row is processed once like any other', async () => {
    await insertSubmissions(h.db.client, [sampleSubmission(0, { created_at: '-infinity' })]);
    await insertNow(1, 1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    await runOk(2);
    await insertNow(2, 1);
    await runOk(1);
    await runOk(0);
    await expectExactlyOnce(h.db, h.jira, h.ws, 3);
  });

  it('a row dated tomorrow is processed at once and does not hide the rows inserted after it', async () => {
    await insertNow(0, 1);
    const { created_at: _now, ...tomorrow } = sampleSubmission(1);
    await h.db.client.query(
      `INSERT INTO webform_submissions (created_at, email_address, department_name, new_user_name, equipment, needed_by, quantity, notes)
       VALUES (now() + interval '1 day', $1, $2, $3, $4, $5, $6, $7)`,
      [tomorrow.email_address, tomorrow.department_name, tomorrow.new_user_name, tomorrow.equipment, tomorrow.needed_by, tomorrow.quantity, tomorrow.notes],
    );
    expect((await h.cli(['map-fields'])).code).toBe(0);
    await runOk(2);
    const { rows } = await h.db.client.query<{ now: Date }>('SELECT now() AS now');
    // The cursor stays at or before the database's clock (plus the one-minute margin).
    expect(Date.parse(cursorTs())).toBeLessThanOrEqual(rows[0]!.now.getTime() + 60_000);

    await insertNow(2, 3);
    await runOk(3);
    await insertNow(5, 1);
    await runOk(1);
    await runOk(0);
    await expectExactlyOnce(h.db, h.jira, h.ws, 6);
    expect(trackerRows(h.ws)).toHaveLength(6);
  });
});
