// The demo's web form table and a dozen requests as the phone-equipment form collects them.
// The table is shaped like the one the README's field_mapping.json example is written against,
// with the (created_at, id) index that serves jira-sync's fetch.

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

export const SEED_REQUESTS: SeedRequest[] = [
  { email: 'priya.shah@example.com', department: 'Finance', name: 'Priya Shah', equipment: 'Mobile phone', neededBy: '2026-12-01', quantity: 1, notes: 'Starts on 1 December' },
  { email: 'tom.becker@example.com', department: 'Sales', name: 'Tom Becker', equipment: 'Handset speaker phone; Mobile phone', neededBy: '2026-12-03', quantity: 1, notes: 'Field sales, needs both' },
  { email: 'amina.okafor@example.com', department: 'Support', name: 'Amina Okafor', equipment: 'Headset', neededBy: '2026-11-28', quantity: 2, notes: 'One spare for the hot desk' },
  { email: 'lars.nilsson@example.com', department: 'Warehouse', name: 'Lars Nilsson', equipment: 'Desk phone', neededBy: '2026-12-05', quantity: 1, notes: null },
  { email: 'maria.garcia@example.com', department: 'HR', name: 'María García', equipment: 'Mobile phone; Headset', neededBy: '2026-12-01', quantity: 1, notes: 'Replaces a broken headset' },
  { email: 'kenji.watanabe@example.com', department: 'Engineering', name: 'Kenji Watanabe', equipment: 'Headset', neededBy: '2026-12-10', quantity: 1, notes: null },
  { email: 'chloe.martin@example.com', department: 'Marketing', name: 'Chloé Martin', equipment: 'Mobile phone', neededBy: '2026-12-02', quantity: 1, notes: 'Prefers a small model' },
  { email: 'david.osei@example.com', department: 'Support', name: 'David Osei', equipment: 'Handset speaker phone', neededBy: '2026-12-04', quantity: 3, notes: 'Meeting rooms 2, 3 and 4' },
  { email: 'sofia.rossi@example.com', department: 'Finance', name: 'Sofia Rossi', equipment: 'Desk phone; Headset', neededBy: '2026-12-08', quantity: 1, notes: null },
  { email: 'ahmed.hassan@example.com', department: 'Sales', name: 'Ahmed Hassan', equipment: 'Mobile phone', neededBy: '2026-11-30', quantity: 1, notes: 'Travels a lot: needs roaming' },
  { email: 'emma.walsh@example.com', department: 'Legal', name: 'Emma Walsh', equipment: 'Handset speaker phone; Mobile phone', neededBy: '2026-12-12', quantity: 1, notes: null },
  { email: 'noah.kim@example.com', department: 'Warehouse', name: 'Noah Kim', equipment: 'Headset', neededBy: '2026-12-01', quantity: 4, notes: 'For the packing line' },
];
