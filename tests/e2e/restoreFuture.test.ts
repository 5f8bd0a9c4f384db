// A tracker restored from a backup, with a row dated in the future processed after the backup:
// such a row never moves the cursor, so the high-water mark does not cover it; it must still be
// searched in Jira before creating, or the restore would create its ticket twice.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { insertSubmissions, sampleSubmission } from '../support/db.js';
import { useCliHarness } from '../support/harness.js';
import { expectExactlyOnce } from '../support/scenario.js';

const h = useCliHarness();

/** Row 1 processed and backed up; then a row dated tomorrow (and `alsoNormal` more rows) processed; then the backup restored and a run. */
async function restoreAfterFutureRow(alsoNormal: number): Promise<void> {
  await insertSubmissions(h.db.client, [sampleSubmission(0)]);
  expect((await h.cli(['map-fields'])).code).toBe(0);
  expect((await h.cli(['run'])).code).toBe(0);
  const dir = path.join(path.dirname(h.ws.trackerPath), 'backups');
  const backup = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.db')) as string);

  const { created_at: _c, ...tomorrow } = sampleSubmission(1);
  await h.db.client.query(
    `INSERT INTO webform_submissions (created_at, email_address, department_name, new_user_name, equipment, needed_by, quantity, notes)
     VALUES (now() + interval '1 day', $1, $2, $3, $4, $5, $6, $7)`,
    [tomorrow.email_address, tomorrow.department_name, tomorrow.new_user_name, tomorrow.equipment, tomorrow.needed_by, tomorrow.quantity, tomorrow.notes],
  );
  await insertSubmissions(h.db.client, Array.from({ length: alsoNormal }, (_, i) => sampleSubmission(2 + i)));
  const second = await h.cli(['run']);
  expect(second.code, second.stderr).toBe(0);
  expect(h.jira.issues).toHaveLength(2 + alsoNormal);

  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${h.ws.trackerPath}${suffix}`, { force: true });
  fs.copyFileSync(backup, h.ws.trackerPath);
  const restored = await h.cli(['run']);
  expect(restored.code, restored.stderr).toBe(0);
  await expectExactlyOnce(h.db, h.jira, h.ws, 2 + alsoNormal);
}

describe('restoring a backup after a future-dated row was processed', () => {
  it('creates no duplicate for the future-dated row', async () => {
    await restoreAfterFutureRow(1);
  });

  it('creates no duplicate when the future-dated row was the only one since the backup (the cursor never moved)', async () => {
    await restoreAfterFutureRow(0);
  });
});
