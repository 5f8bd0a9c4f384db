// An in-process world for the write-back pull: the fake Jira on a hand-driven clock, a SQLite
// tracker whose submissions own its tickets, and the real writeBack() phase against a real
// PostgreSQL database. Used by the pull's integration test and by `npm run bench`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import { Tracker } from '../../src/adapters/tracker/tracker.js';
import { loadConfig, type ResolvedConfig } from '../../src/config.js';
import { makeJira, makeLogging } from '../../src/runtime.js';
import { writeBack, type PullReport } from '../../src/run/writeback.js';
import { startFakeJira, type FakeJira } from './fakeJira/index.js';

const EMAIL = 'bot@example.com';
const TOKEN = 'world-token';

export interface PullWorld {
  fake: FakeJira;
  tracker: Tracker;
  config: ResolvedConfig;
  clock: { now: number };
  /** Creates `n` requests, one every `spacingMs` of the fake's clock, each owned by a tracked submission; returns their keys.
   *  `bulk`: the submissions are written to the tracker in one transaction (a benchmark's 10,000), not one call each. */
  createTickets(n: number, spacingMs: number, opts?: { bulk?: boolean }): Promise<string[]>;
  pull(full?: boolean): Promise<PullReport & { searches: number }>;
  close(): Promise<void>;
}

export async function pullWorld(databaseUrl: string, opts: { start: number; timeZone?: string; table?: string }): Promise<PullWorld> {
  const clock = { now: opts.start };
  const fake = await startFakeJira({ auth: { email: EMAIL, apiToken: TOKEN }, now: () => clock.now, accountTimeZone: opts.timeZone ?? 'Etc/UTC' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-pull-'));
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    JIRA_BASE_URL: fake.url,
    JIRA_EMAIL: EMAIL,
    JIRA_API_TOKEN: TOKEN,
    JSM_SERVICE_DESK_ID: '1',
    JSM_REQUEST_TYPE_ID: '10',
    TRACKER_PATH: path.join(dir, 'tracker.db'),
    LOG_DIR: path.join(dir, 'logs'),
    LOG_LEVEL: 'silent',
    WRITEBACK_TABLE: opts.table ?? 'jira_sync_requests',
  });
  const now = () => new Date();
  const tracker = new Tracker(openTrackerDb(config.trackerPath), now);
  const logging = makeLogging(config, 'world', now, false);
  const jira = makeJira(config, now, logging);
  let seq = 0;
  const auth = { Authorization: `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`, 'Content-Type': 'application/json' };
  return {
    fake,
    tracker,
    config,
    clock,
    async createTickets(n, spacingMs, o = {}) {
      const keys: string[] = [];
      const bulk: { key: string; seq: number; ticket: string }[] = [];
      for (let i = 0; i < n; i++) {
        seq++;
        const res = await fetch(`${fake.url}/rest/servicedeskapi/request`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ serviceDeskId: '1', requestTypeId: '10', requestFieldValues: { summary: `Request ${seq}`, customfield_10010: 'ada@example.com', customfield_10013: [{ id: '10102' }] } }),
        });
        const ticket = ((await res.json()) as { issueKey: string }).issueKey;
        const key = `sub-${String(seq).padStart(6, '0')}`;
        keys.push(ticket);
        clock.now += spacingMs;
        if (o.bulk) {
          bulk.push({ key, seq, ticket });
          continue;
        }
        await tracker.register({ sourceId: String(seq), sourceTs: new Date(opts.start + seq * 1000).toISOString() }, key, { id: seq }, 'world');
        await tracker.claimForCreate(key, 'world');
        await tracker.markCreated(key, ticket, String(seq), 'created');
      }
      if (bulk.length > 0) {
        const insert = tracker.db.prepare(
          `INSERT INTO submissions (key, source_id, source_ts, payload, state, ticket_key, ticket_id, attempts, last_outcome, run_id, created_at, updated_at)
           VALUES (?, ?, ?, '{}', 'done', ?, ?, 1, 'created', 'world', ?, ?)`,
        );
        const at = new Date(opts.start).toISOString();
        tracker.db.transaction(() => {
          for (const b of bulk) insert.run(b.key, String(b.seq), new Date(opts.start + b.seq * 1000).toISOString(), b.ticket, String(b.seq), at, at);
        })();
      }
      return keys;
    },
    async pull(full = false) {
      const before = fake.requests.length;
      const report = await writeBack({ tracker, jira, now, log: (m) => logging.forModule(m) }, config, { full });
      return { ...report, searches: fake.requests.slice(before).filter((r) => r.path.includes('/search')).length };
    },
    async close() {
      await tracker.close();
      logging.close();
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
