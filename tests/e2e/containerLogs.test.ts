// Containers: with TRACKER_DATABASE_URL set and LOG_DIR=-, a run keeps no local state. The CLI
// runs in an empty folder it cannot write to (read-only, and as an unprivileged user when the
// tests run as root, who ignores file modes), with TRACKER_PATH left at its default under that
// folder: the run succeeds, the folder is still empty, every stdout line is a JSON object
// naming its module and run, the summary is one of them, and stderr says nothing.
// With the SQLite tracker, LOG_DIR=- moves only the logs: the tracker file stays local.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useCliHarness } from '../support/harness.js';

const h = useCliHarness();
const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) {
    fs.chmodSync(d, 0o700);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

/** A folder of its own, with this mode, for what the run may read or must not write. */
function folder(mode: number): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-container-'));
  made.push(d);
  fs.chmodSync(d, mode);
  return d;
}

type Line = Record<string, unknown>;

/** Every stdout line parsed as JSON (a line that is not JSON fails the test, quoting it). */
function jsonLines(stdout: string): Line[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Line;
      } catch {
        throw new Error(`not a JSON line on stdout: ${l}`);
      }
    });
}

const asUnprivileged = () => (process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {});

describe('LOG_DIR=- with the tracker in PostgreSQL', () => {
  it('writes nothing under the working folder; stdout is JSON lines with module and runId, the summary among them', async () => {
    await h.seed(3);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    // The mapping is the one file a run reads; it lives elsewhere, readable by the run's user.
    const config = folder(0o755);
    const mapping = path.join(config, 'field_mapping.json');
    fs.copyFileSync(h.ws.mappingPath, mapping);
    fs.chmodSync(mapping, 0o644);
    const box = folder(0o555);
    const { TRACKER_PATH: _default, ...env } = h.ws.env;
    const schema = `jira_sync_${Math.random().toString(36).slice(2, 8)}`;
    Object.assign(env, { LOG_DIR: '-', FIELD_MAPPING_PATH: mapping, TRACKER_DATABASE_URL: h.db.url, TRACKER_SCHEMA: schema });

    const runs = [];
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['run'], { env, cwd: box, ...asUnprivileged() });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stderr).toBe('');
      runs.push(jsonLines(r.stdout));
    }
    expect(fs.readdirSync(box)).toEqual([]);
    expect(h.jira.issues).toHaveLength(3);
    for (const issue of h.jira.issues) expect(issue.attachments).toHaveLength(1);

    const [first, second] = runs as [Line[], Line[]];
    const runId = first[0]?.runId;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    for (const line of first) {
      expect(line, JSON.stringify(line)).toMatchObject({ runId, module: expect.stringMatching(/^[a-z_]+$/) as unknown, time: expect.any(String) as unknown });
    }
    const modules = new Set(first.map((l) => l.module));
    for (const m of ['create_ticket', 'attach_submission', 'main', 'summary']) expect(modules, [...modules].join(',')).toContain(m);
    // A line about a submission carries its key and source id, whole.
    const created = first.filter((l) => l.module === 'create_ticket' && typeof l.key === 'string');
    expect(created.length).toBeGreaterThanOrEqual(3);
    for (const l of created) expect(l).toMatchObject({ key: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown, sourceId: expect.anything() as unknown });

    const summaries = first.filter((l) => l.module === 'summary');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ level: 'info', created: 3, skipped: 0, failed: 0, parked: 0 });
    expect(summaries[0]?.msg).toMatch(new RegExp(`run ${String(runId)} created 3, skipped 0, failed 0, parked 0 in [\\d.]+ s(; daily audit: .*)?$`));
    expect(first.at(-1)?.module).toBe('summary');
    expect(second.filter((l) => l.module === 'summary')).toEqual([expect.objectContaining({ created: 0, skipped: 0, failed: 0, parked: 0 })]);
    expect(new Set(second.map((l) => l.runId)).size).toBe(1);
    expect(second[0]?.runId).not.toBe(runId);

    // doctor agrees there is no log folder to check, and writes nothing either.
    const doctor = await runCli(['doctor'], { env, cwd: box, ...asUnprivileged() });
    expect(doctor.stdout).toMatch(/^ok\s+log folder: none: LOG_DIR=- sends the logs/m);
    expect(fs.readdirSync(box)).toEqual([]);
  });

  it('a run that stops (Jira refuses the token) says why in the summary object, at level warn; stderr stays empty', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const schema = `jira_sync_${Math.random().toString(36).slice(2, 8)}`;
    const env = { ...h.ws.env, LOG_DIR: '-', TRACKER_DATABASE_URL: h.db.url, TRACKER_SCHEMA: schema, JIRA_API_TOKEN: 'a-wrong-token-4f1c9e' };
    const r = await runCli(['run'], { env, cwd: h.ws.dir });
    expect(r.code, r.stdout).toBe(3);
    expect(r.stderr).toBe('');
    const lines = jsonLines(r.stdout);
    expect(lines.find((l) => l.module === 'main' && l.msg === 'run stopped')).toMatchObject({ level: 'error' });
    const summary = lines.filter((l) => l.module === 'summary');
    expect(summary).toEqual([expect.objectContaining({ level: 'warn', created: 0, stopped: expect.stringContaining('Jira') as unknown })]);
    expect(summary[0]?.msg).toContain('; stopped: ');
    expect(r.stdout).not.toContain('a-wrong-token-4f1c9e');
  });
});

describe('LOG_DIR=- with the SQLite tracker', () => {
  it('the tracker file stays local; no log folder, the logs on stdout', async () => {
    await h.seed(2);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    fs.rmSync(h.ws.logDir, { recursive: true }); // map-fields' own log, in files
    const r = await runCli(['run'], { env: { ...h.ws.env, LOG_DIR: '-' }, cwd: h.ws.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = jsonLines(r.stdout);
    expect(lines.filter((l) => l.module === 'summary')).toEqual([expect.objectContaining({ created: 2 })]);
    expect(fs.existsSync(h.ws.trackerPath)).toBe(true);
    expect(fs.existsSync(h.ws.logDir)).toBe(false);
    expect(fs.existsSync(path.join(h.ws.dir, '-'))).toBe(false);
    expect(fs.readdirSync(h.ws.dir).sort()).toEqual(['field_mapping.json', 'tracker']);
  });
});
