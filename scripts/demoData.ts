// The demo's web form table, the requests it holds, and the request type they go to.
// The table is shaped like the one the README's field_mapping.json example is written against,
// with the (created_at, id) index that serves jira-sync's fetch. One request names a department
// the request type's Department drop-down does not offer, so the demo can show a failure and
// its fix; a second batch arrives later for the run that is killed part-way.
import pg from 'pg';
import { defaultRequestTypeFields, defaultTaskFields, type FakeRequestTypeField, type FakeScreenField } from '../tests/support/fakeJira/index.js';
import type { DemoField } from './demoShow.js';

export { SUBMISSIONS_DDL as SEED_DDL } from '../tests/support/schema.js';

export interface SeedRequest {
  email: string;
  department: string;
  name: string;
  /** As the form sends it: the options ticked, separated by "; ". */
  equipment: string;
  neededBy: string;
  quantity: number;
  notes: string | null;
}

/** What Jira's Department field offers. "Human Resources" is not among them: Jira calls it "HR". */
export const DEPARTMENTS = ['Engineering', 'Finance', 'HR', 'Legal', 'Marketing', 'Sales', 'Support', 'Warehouse'];

/** The value one request was typed with, and the one it is corrected to in the demo. */
export const BAD_DEPARTMENT = { typed: 'Human Resources', corrected: 'HR' };

export const SEED_REQUESTS: SeedRequest[] = [
  { email: 'priya.shah@example.com', department: 'Finance', name: 'Priya Shah', equipment: 'Mobile phone', neededBy: '2026-12-01', quantity: 1, notes: 'Starts on 1 December' },
  { email: 'tom.becker@example.com', department: 'Sales', name: 'Tom Becker', equipment: 'Handset speaker phone; Mobile phone', neededBy: '2026-12-03', quantity: 1, notes: 'Field sales, needs both' },
  { email: 'amina.okafor@example.com', department: 'Support', name: 'Amina Okafor', equipment: 'Headset', neededBy: '2026-11-28', quantity: 2, notes: 'One spare for the hot desk' },
  { email: 'lars.nilsson@example.com', department: 'Warehouse', name: 'Lars Nilsson', equipment: 'Desk phone', neededBy: '2026-12-05', quantity: 1, notes: null },
  { email: 'maria.garcia@example.com', department: BAD_DEPARTMENT.typed, name: 'María García', equipment: 'Mobile phone; Headset', neededBy: '2026-12-01', quantity: 1, notes: 'Replaces a broken headset' },
  { email: 'kenji.watanabe@example.com', department: 'Engineering', name: 'Kenji Watanabe', equipment: 'Headset', neededBy: '2026-12-10', quantity: 1, notes: null },
  { email: 'chloe.martin@example.com', department: 'Marketing', name: 'Chloé Martin', equipment: 'Mobile phone', neededBy: '2026-12-02', quantity: 1, notes: 'Prefers a small model' },
  { email: 'david.osei@example.com', department: 'Support', name: 'David Osei', equipment: 'Handset speaker phone', neededBy: '2026-12-04', quantity: 3, notes: 'Meeting rooms 2, 3 and 4' },
  { email: 'sofia.rossi@example.com', department: 'Finance', name: 'Sofia Rossi', equipment: 'Desk phone; Headset', neededBy: '2026-12-08', quantity: 1, notes: null },
  { email: 'ahmed.hassan@example.com', department: 'Sales', name: 'Ahmed Hassan', equipment: 'Mobile phone', neededBy: '2026-11-30', quantity: 1, notes: 'Travels a lot: needs roaming' },
  { email: 'emma.walsh@example.com', department: 'Legal', name: 'Emma Walsh', equipment: 'Handset speaker phone; Mobile phone', neededBy: '2026-12-12', quantity: 1, notes: null },
  { email: 'noah.kim@example.com', department: 'Warehouse', name: 'Noah Kim', equipment: 'Headset', neededBy: '2026-12-01', quantity: 4, notes: 'For the packing line' },
];

/** The afternoon's requests: they arrive while Jira answers slowly, and the run taking them is killed. */
export const LATER_REQUESTS: SeedRequest[] = [
  { email: 'lena.fischer@example.com', department: 'Engineering', name: 'Lena Fischer', equipment: 'Headset', neededBy: '2026-12-14', quantity: 1, notes: null },
  { email: 'omar.haddad@example.com', department: 'Support', name: 'Omar Haddad', equipment: 'Desk phone; Headset', neededBy: '2026-12-09', quantity: 1, notes: 'New starter on the help desk' },
  { email: 'grace.lee@example.com', department: 'Finance', name: 'Grace Lee', equipment: 'Mobile phone', neededBy: '2026-12-11', quantity: 1, notes: null },
  { email: 'pablo.ruiz@example.com', department: 'Sales', name: 'Pablo Ruiz', equipment: 'Mobile phone; Handset speaker phone', neededBy: '2026-12-07', quantity: 1, notes: 'Covers the Madrid office' },
  { email: 'ingrid.berg@example.com', department: 'HR', name: 'Ingrid Berg', equipment: 'Headset', neededBy: '2026-12-15', quantity: 1, notes: null },
  { email: 'yusuf.demir@example.com', department: 'Warehouse', name: 'Yusuf Demir', equipment: 'Handset speaker phone', neededBy: '2026-12-06', quantity: 2, notes: 'Loading bay' },
  { email: 'anna.kowalska@example.com', department: 'Marketing', name: 'Anna Kowalska', equipment: 'Mobile phone', neededBy: '2026-12-16', quantity: 1, notes: null },
  { email: 'ben.carter@example.com', department: 'Legal', name: 'Ben Carter', equipment: 'Desk phone', neededBy: '2026-12-18', quantity: 1, notes: 'Quiet room' },
];

/** The phone-equipment request type, with Department a drop-down (a select field) as a real one often is. */
export function demoRequestTypeFields(): FakeRequestTypeField[] {
  return defaultRequestTypeFields().map((f) =>
    f.name === 'Department name'
      ? {
          ...f,
          name: 'Department',
          jiraSchema: { type: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select', customId: 10011 },
          validValues: DEPARTMENTS.map((label, i) => ({ value: String(10200 + i), label, children: [] })),
        }
      : f,
  );
}

/** Issue mode: the plain project's Task screen, its Department offering the same departments and
 *  its Equipment the same phones as the request type. */
export function demoTaskFields(): FakeScreenField[] {
  const phones = ['Mobile phone', 'Handset speaker phone', 'Headset', 'Desk phone'];
  return defaultTaskFields().map((f) => {
    if (f.name === 'Department') return { ...f, allowedValues: DEPARTMENTS.map((value, i) => ({ id: String(10200 + i), value })) };
    if (f.name === 'Equipment') return { ...f, allowedValues: phones.map((value, i) => ({ id: String(10210 + i), value })) };
    return f;
  });
}

/** A create screen's fields as the demo shows them: options as {value: id, label}. */
export function screenAsDemoFields(fields: FakeScreenField[]): DemoField[] {
  return fields.map((f) => ({ fieldId: f.fieldId, name: f.name, validValues: (f.allowedValues ?? []).map((o) => ({ value: o.id, label: o.value ?? o.name ?? o.id })) }));
}

/** Inserts requests as the web form would, `minutesApart` apart and ending `minutesAgo` before now. */
export async function insertRequests(databaseUrl: string, requests: SeedRequest[], minutesAgo: number, minutesApart: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ids: string[] = [];
    for (const [i, r] of requests.entries()) {
      const res = await client.query<{ id: string }>(
        `INSERT INTO webform_submissions (created_at, email_address, department_name, new_user_name, equipment, needed_by, quantity, notes)
         VALUES (now() - make_interval(mins => $1), $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [minutesAgo + (requests.length - 1 - i) * minutesApart, r.email, r.department, r.name, r.equipment, r.neededBy, r.quantity, r.notes],
      );
      ids.push(String(res.rows[0]?.id));
    }
    return ids;
  } finally {
    await client.end();
  }
}
