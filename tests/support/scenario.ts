// Shared set-up for the crash-safety and chaos tests: a seeded table, a mapping, and the
// one assertion that matters: every submission has exactly one ticket with exactly one
// attachment, equal to its row, and the tracker says done.
import fs from 'node:fs';
import { openSqlite } from '../../src/adapters/tracker/sqlite.js';
import { expect } from 'vitest';
import type { FakeJira } from './fakeJira/index.js';
import { runCli, type CliResult, type Workspace } from './cli.js';
import type { TestDatabase } from './db.js';

export const GRACE_PASSED_MS = 11 * 60_000; // RECOVERY_GRACE_MINUTES defaults to 10

export function cliFor(ws: Workspace) {
  return (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { ...ws.env, ...extra } });
}

export function trackerStates(ws: Workspace): Record<string, number> {
  if (!fs.existsSync(ws.trackerPath)) return {};
  const t = openSqlite(ws.trackerPath, { readonly: true });
  try {
    // A run makes the file (owner-only) a moment before its first migration commits: no table yet, no states yet.
    if (!t.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'submissions'`).get()) return {};
    const rows = t.prepare('SELECT state, count(*) AS n FROM submissions GROUP BY state').all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } finally {
    t.close();
  }
}

/** Waits until `cond` holds (the fake may still be handling a request a killed client sent). */
export async function eventually(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
}

export async function expectExactlyOnce(db: TestDatabase, jira: FakeJira, ws: Workspace, expected: number): Promise<void> {
  const rows = (await db.client.query<{ id: string; email_address: string }>('SELECT id::text AS id, email_address FROM webform_submissions')).rows;
  expect(rows).toHaveLength(expected);
  const byFile = new Map<string, number>();
  for (const issue of jira.issues) {
    expect(issue.attachments, `${issue.key} attachments`).toHaveLength(1);
    const name = issue.attachments[0]!.filename;
    byFile.set(name, (byFile.get(name) ?? 0) + 1);
    const content = JSON.parse(issue.attachments[0]!.content.toString('utf8')) as { id: string; email_address: string };
    expect(name).toBe(`submission-${content.id}.json`);
  }
  for (const r of rows) expect(byFile.get(`submission-${r.id}.json`), `tickets for source row ${r.id}`).toBe(1);
  expect(jira.issues).toHaveLength(expected);
  const markers = jira.issues.map((i) => i.labels.find((l) => l.startsWith('jira-sync-')));
  expect(new Set(markers).size).toBe(expected);
  expect(trackerStates(ws)).toEqual({ done: expected });
}
