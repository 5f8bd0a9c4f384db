// Every type a source column can hold reaches the attachment and the unique key exactly as
// PostgreSQL prints it, whatever the time zone of the machine that runs jira-sync. The real
// CLI runs the same rows twice, once with TZ=UTC and once with TZ=Pacific/Chatham (+13:45 in
// the summer, a zone whose offset is not whole hours), each with its own tracker and fake
// Jira; the attachments and the keys must be identical, and equal to the golden keys below.
//
// The keys are golden: they are stored in trackers and written on tickets. Never update one to
// make this test pass; a changed key means a submission that is already in Jira looks new.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, runCli, type Workspace } from '../support/cli.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';
import { startFakeJira, type FakeJira } from '../support/fakeJira/index.js';
import { EMAIL, TOKEN, trackerRows } from '../support/harness.js';

interface Family {
  name: string;
  /** column -> [type, SQL literal] */
  columns: Record<string, [string, string]>;
  /** What the attachment must hold for each column: Postgres' own text (timestamps in UTC ISO form). */
  attached: Record<string, unknown>;
  key: string;
}

const FAMILIES: Family[] = [
  {
    name: 'dates',
    columns: { v_date: ['date', `'2026-12-01'`], v_date_arr: ['date[]', `'{2026-12-01,2027-01-31,NULL,infinity}'`], v_date_2d: ['date[][]', `'{{2026-01-01,2026-01-02},{2026-02-01,2026-02-02}}'`] },
    attached: { v_date: '2026-12-01', v_date_arr: ['2026-12-01', '2027-01-31', null, 'infinity'], v_date_2d: [['2026-01-01', '2026-01-02'], ['2026-02-01', '2026-02-02']] },
    key: 'f080ba1640a4a4b3928854cad86bd9d71303bb9eb0dbcecf994cd3f4a690060d',
  },
  {
    name: 'timestamps',
    columns: {
      v_ts: ['timestamp', `'2026-11-20 23:30:02.123456'`],
      v_ts_arr: ['timestamp[]', `'{"2026-11-20 23:30:02.123456","2026-06-30 12:00:00",-infinity}'`],
      v_tstz: ['timestamptz', `'2026-11-20 23:30:02.654321+00'`],
      v_tstz_arr: ['timestamptz(6)[]', `'{"2026-11-20 23:30:02.654321+00","2026-11-21 10:00:00.5+05:30",NULL}'`],
    },
    attached: {
      v_ts: '2026-11-20T23:30:02.123456Z',
      v_ts_arr: ['2026-11-20T23:30:02.123456Z', '2026-06-30T12:00:00.000000Z', '-infinity'],
      v_tstz: '2026-11-20T23:30:02.654321Z',
      v_tstz_arr: ['2026-11-20T23:30:02.654321Z', '2026-11-21T04:30:00.500000Z', null],
    },
    key: '80e73586696a65823b1a90f966da3b0a580aa0834b557b673fe59b4d87c4074a',
  },
  {
    name: 'times and intervals',
    columns: {
      v_time_arr: ['time[]', `'{09:15:02.123456,23:59:59}'`],
      v_timetz_arr: ['timetz[]', `'{09:15:02+13:45,12:00:00-03:30}'`],
      v_interval: ['interval', `'1 day 01:30:00.123456'`],
      v_interval_arr: ['interval[]', `'{"1 day 01:30:00.123456","-1 mons"}'`],
    },
    attached: {
      v_time_arr: ['09:15:02.123456', '23:59:59'],
      v_timetz_arr: ['09:15:02+13:45', '12:00:00-03:30'],
      // Intervals keep pg's object form, as they always have (scalar and array): lossless and
      // independent of the time zone, and changing it would change existing keys.
      v_interval: { days: 1, hours: 1, minutes: 30, milliseconds: 123.456 },
      v_interval_arr: [{ days: 1, hours: 1, minutes: 30, milliseconds: 123.456 }, { months: -1 }],
    },
    key: '23757ea4146b71c4d7b07b59cd3c4d66f7923b60c24ca59253f1c6a30088fd17',
  },
  {
    name: 'numbers',
    columns: {
      v_numeric_arr: ['numeric(30,2)[]', `'{12345678901234567890.12,10.50,-0.01,NULL}'`],
      v_numeric_free_arr: ['numeric[]', `'{0.1000000000000000000001,NaN}'`],
      v_int8_arr: ['bigint[]', `'{9223372036854775807,-1}'`],
      v_int_arr: ['integer[]', `'{1,2,3}'`],
      v_money: ['money', `'1234.5'`],
      v_money_arr: ['money[]', `'{12.5,-3}'`],
    },
    attached: {
      v_numeric_arr: ['12345678901234567890.12', '10.50', '-0.01', null],
      v_numeric_free_arr: ['0.1000000000000000000001', 'NaN'],
      v_int8_arr: ['9223372036854775807', '-1'],
      v_int_arr: [1, 2, 3],
      v_money: '$1,234.50',
      v_money_arr: ['$12.50', '-$3.00'],
    },
    key: 'efdff81a1c2066180d9c011b43190e5cb24e76f0737f341d42d473d8eb324a03',
  },
  {
    name: 'json and binary',
    columns: {
      v_json_arr: ['json[]', `ARRAY['{"b":1,"a":"x"}'::json, '[1,2]'::json]`],
      v_jsonb_arr: ['jsonb[]', `ARRAY['{"b":1,"a":"2026-12-01"}'::jsonb, 'null'::jsonb]`],
      v_bytea: ['bytea', `'\\x00ff10'`],
      v_bytea_arr: ['bytea[]', `ARRAY['\\x0102'::bytea, '\\x'::bytea]`],
    },
    attached: {
      v_json_arr: [{ b: 1, a: 'x' }, [1, 2]],
      v_jsonb_arr: [{ a: '2026-12-01', b: 1 }, null],
      v_bytea: 'AP8Q',
      v_bytea_arr: ['AQI=', ''],
    },
    key: 'ab2afa793b1ed69c16cb16768fd12000557ab1734d01c6e1fa1d2592662f5d99',
  },
  {
    name: 'identifiers and text',
    columns: {
      v_uuid_arr: ['uuid[]', `'{6f1c2a4e-0b7d-4c55-9a51-3f2d7f0f6a10}'`],
      v_inet_arr: ['inet[]', `'{192.168.0.1/24,::1}'`],
      v_text_arr: ['text[]', `ARRAY['a,b', 'say "hi"', NULL, 'NULL']`],
    },
    attached: {
      v_uuid_arr: ['6f1c2a4e-0b7d-4c55-9a51-3f2d7f0f6a10'],
      v_inet_arr: ['192.168.0.1/24', '::1'],
      v_text_arr: ['a,b', 'say "hi"', null, 'NULL'],
    },
    key: '3d5735df629d51d8dee3dc9499db37f6990f2a7bbfdf0ec9ff0a8286d4a12cba',
  },
  {
    name: 'ranges',
    columns: {
      v_tstzrange: ['tstzrange', `tstzrange('2026-11-20 09:00:00.5+00', '2026-11-20 17:00:00+00')`],
      v_daterange: ['daterange', `daterange('2026-12-01', '2026-12-24')`],
      v_tstzrange_arr: ['tstzrange[]', `ARRAY[tstzrange('2026-11-20 09:00:00+00', NULL)]`],
      v_daterange_arr: ['daterange[]', `ARRAY[daterange('2026-12-01', '2026-12-24', '[]')]`],
    },
    // Range arrays have no parser in pg: they arrive as Postgres' array text, which is already stable.
    attached: {
      v_tstzrange: '["2026-11-20 09:00:00.5+00","2026-11-20 17:00:00+00")',
      v_daterange: '[2026-12-01,2026-12-24)',
      v_tstzrange_arr: '{"[\\"2026-11-20 09:00:00+00\\",)"}',
      v_daterange_arr: '{"[2026-12-01,2026-12-25)"}',
    },
    key: 'a576e43fde8321ace97db55aa3c07eee6e42e67b5046d797d57e76f831822cc3',
  },
];

const ZONES = ['UTC', 'Pacific/Chatham'] as const;

interface ZoneRun {
  jira: FakeJira;
  ws: Workspace;
}

let db: TestDatabase;
const runs = new Map<string, ZoneRun>();
const ids = new Map<string, number>();

beforeAll(async () => {
  db = await createTestDatabase();
  // money prints by lc_monetary; pin it so the expected text does not depend on the server's locale.
  await db.client.query(`ALTER DATABASE "${new URL(db.url).pathname.slice(1)}" SET lc_monetary = 'C'`);
  await db.client.query(SUBMISSIONS_DDL);
  for (const f of FAMILIES) {
    for (const [col, [type]] of Object.entries(f.columns)) await db.client.query(`ALTER TABLE webform_submissions ADD COLUMN ${col} ${type}`);
  }
  for (const [i, f] of FAMILIES.entries()) {
    const [id] = await insertSubmissions(db.client, [sampleSubmission(i)]);
    ids.set(f.name, id as number);
    const sets = Object.entries(f.columns).map(([col, [type, literal]]) => `${col} = (${literal})::${type}`);
    await db.client.query(`UPDATE webform_submissions SET ${sets.join(', ')} WHERE id = $1`, [id]);
  }
  for (const tz of ZONES) {
    const jira = await startFakeJira({ auth: { email: EMAIL, apiToken: TOKEN } });
    const ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: jira.url, extra: { TZ: tz } });
    runs.set(tz, { jira, ws });
    const mapped = await runCli(['map-fields'], { env: ws.env });
    expect(mapped.code, mapped.stderr).toBe(0);
    const r = await runCli(['run'], { env: ws.env });
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  for (const { jira, ws } of runs.values()) {
    await jira.close();
    ws.cleanup();
  }
  await db?.drop();
});

function attachmentOf(run: ZoneRun, id: number): Record<string, unknown> {
  const issue = run.jira.issues.find((i) => i.attachments[0]?.filename === `submission-${id}.json`);
  expect(issue, `ticket for row ${id}`).toBeDefined();
  return JSON.parse(issue!.attachments[0]!.content.toString('utf8')) as Record<string, unknown>;
}

function keyOf(run: ZoneRun, id: number): string | undefined {
  return trackerRows(run.ws).find((t) => t.source_id === String(id))?.key;
}

describe('column values reach the attachment and the key as PostgreSQL prints them, in any time zone', () => {
  it('ran in both zones', () => {
    expect(ZONES.map((tz) => fs.existsSync(runs.get(tz)!.ws.trackerPath))).toEqual([true, true]);
  });

  for (const f of FAMILIES) {
    it(`${f.name}: ${Object.values(f.columns).map(([t]) => t).join(', ')}`, () => {
      const id = ids.get(f.name) as number;
      for (const tz of ZONES) {
        const run = runs.get(tz)!;
        const attached = attachmentOf(run, id);
        for (const [col, want] of Object.entries(f.attached)) expect(attached[col], `${col} with TZ=${tz}`).toEqual(want);
        expect(keyOf(run, id), `key with TZ=${tz}`).toBe(f.key);
      }
    });
  }
});
