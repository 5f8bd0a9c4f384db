import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

const valid = {
  DATABASE_URL: 'postgres://sync:pg-pass-123@db.example.com:5432/forms',
  JIRA_BASE_URL: 'https://example.atlassian.net/',
  JIRA_EMAIL: 'robot@example.com',
  JIRA_API_TOKEN: 'tok-abc',
  JSM_SERVICE_DESK_ID: '1',
  JSM_REQUEST_TYPE_ID: '10',
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(valid);
    expect(c).toMatchObject({
      sourceTable: 'webform_submissions', idColumn: 'id', timestampColumn: 'created_at', uniqueKeyColumns: null, batchSize: 30,
      trackerPath: 'tracker/tracker.db', fieldMappingPath: 'field_mapping.json', logDir: 'logs', logLevel: 'info',
      jiraBaseUrl: 'https://example.atlassian.net', maxAttempts: 5, recoveryGraceMinutes: 10, concurrency: 4, attachmentPublic: false,
    });
    expect(c.jiraAuth).toEqual({ kind: 'basic', email: 'robot@example.com', apiToken: 'tok-abc' });
    expect(c.secrets).toEqual(expect.arrayContaining(['tok-abc', 'pg-pass-123']));
  });

  it('reports every problem at once, naming each variable', () => {
    const p = problems({ BATCH_SIZE: 'lots', LOG_LEVEL: 'loud', SOURCE_TABLE: 'web forms', JSM_SERVICE_DESK_ID: 'HW' });
    const text = p.join('\n');
    for (const name of ['DATABASE_URL', 'JIRA_BASE_URL', 'JSM_REQUEST_TYPE_ID', 'BATCH_SIZE', 'LOG_LEVEL', 'SOURCE_TABLE', 'JSM_SERVICE_DESK_ID', 'JIRA_EMAIL and JIRA_API_TOKEN']) {
      expect(text).toContain(name);
    }
    expect(p.length).toBeGreaterThanOrEqual(7);
  });

  it('takes the tracker in PostgreSQL: TRACKER_DATABASE_URL and TRACKER_SCHEMA, problems all at once, password kept secret', () => {
    expect(loadConfig(valid)).toMatchObject({ trackerDatabaseUrl: null, trackerSchema: 'jira_sync' });
    const pg = loadConfig({ ...valid, TRACKER_DATABASE_URL: 'postgres://tracker:tr-pass-9@db2.example.com/ops', TRACKER_SCHEMA: 'sync_a' });
    expect(pg).toMatchObject({ trackerDatabaseUrl: 'postgres://tracker:tr-pass-9@db2.example.com/ops', trackerSchema: 'sync_a' });
    expect(pg.secrets).toContain('tr-pass-9');
    const p = problems({ ...valid, TRACKER_DATABASE_URL: 'mysql://u:hunter3@x/y', TRACKER_SCHEMA: 'jira sync', BATCH_SIZE: 'lots' }).join('\n');
    for (const name of ['TRACKER_DATABASE_URL', 'TRACKER_SCHEMA', 'BATCH_SIZE']) expect(p).toContain(name);
    expect(p).not.toContain('hunter3');
    // PostgreSQL's own schemas: CREATE SCHEMA refuses pg_*, and neither is a place for our tables.
    for (const schema of ['pg_catalog', 'PG_temp', 'information_schema']) {
      expect(problems({ ...valid, TRACKER_DATABASE_URL: 'postgres://u@x/y', TRACKER_SCHEMA: schema }).join()).toContain(`TRACKER_SCHEMA "${schema}" is one of PostgreSQL's own schemas`);
    }
  });

  it('takes a PAT for Data Center and refuses both kinds of credentials at once', () => {
    expect(loadConfig({ ...valid, JIRA_EMAIL: '', JIRA_API_TOKEN: '', JIRA_PAT: 'pat-1' }).jiraAuth).toEqual({ kind: 'pat', pat: 'pat-1' });
    expect(problems({ ...valid, JIRA_PAT: 'pat-1' }).join()).toContain('not both');
  });

  it('never echoes a malformed DATABASE_URL, which may carry a password', () => {
    const p = problems({ ...valid, DATABASE_URL: 'mysql://u:hunter2@x/y' }).join('\n');
    expect(p).toContain('DATABASE_URL');
    expect(p).not.toContain('hunter2');
  });

  it('counts the base64 forms of the Jira credentials as secrets', () => {
    const basic = Buffer.from('robot@example.com:tok-abc').toString('base64');
    expect(loadConfig(valid).secrets).toEqual(expect.arrayContaining([basic, basic.replace(/=+$/, '')]));
    const pat = loadConfig({ ...valid, JIRA_EMAIL: '', JIRA_API_TOKEN: '', JIRA_PAT: 'pat-1' });
    expect(pat.secrets).toEqual(expect.arrayContaining(['pat-1', Buffer.from('pat-1').toString('base64')]));
  });

  it('refuses credentials inside JIRA_BASE_URL, naming the variable and never echoing them', () => {
    for (const url of ['https://robot:s3cret-pw@example.atlassian.net', 'https://robot@example.atlassian.net']) {
      const p = problems({ ...valid, JIRA_BASE_URL: url }).join('\n');
      expect(p).toContain('JIRA_BASE_URL must not contain a user name or password');
      expect(p).not.toContain('s3cret-pw');
    }
  });

  it('local commands need only the tracker settings', () => {
    expect(() => loadConfig({}, 'local')).not.toThrow();
    expect(() => loadConfig({}, 'all')).toThrow(ConfigError);
  });
});

describe('placeholders from .env.example', () => {
  it('every placeholder is a problem of its own, naming the variable, and never the value', () => {
    const p = problems({ ...valid, DATABASE_URL: 'postgres://jira_sync:CHANGE_ME@db.example.internal:5432/webforms', JIRA_BASE_URL: 'https://your-company.atlassian.net', JIRA_EMAIL: 'jira-robot@example.com', JIRA_API_TOKEN: 'CHANGE_ME', BATCH_SIZE: 'x' });
    for (const v of ['DATABASE_URL', 'JIRA_BASE_URL', 'JIRA_EMAIL', 'JIRA_API_TOKEN']) expect(p.filter((l) => l.startsWith(`${v} still has the placeholder`))).toHaveLength(1);
    expect(p.join('\n')).toContain('BATCH_SIZE');
    expect(p.join('\n')).not.toContain('CHANGE_ME');
  });

  it("'local' commands (status, retry) do not care", () => {
    expect(() => loadConfig({ ...valid, JIRA_BASE_URL: 'https://your-company.atlassian.net' }, 'local')).not.toThrow();
  });
});
