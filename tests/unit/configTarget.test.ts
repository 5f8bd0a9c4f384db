// Where tickets go: exactly one of the two pairs (a service desk's request type, or a plain
// project's issue type), resolved once into config.target; anything else is a configuration
// error that says which pair to set.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

const base = {
  DATABASE_URL: 'postgres://sync:pg-pass-123@db.example.com:5432/forms',
  JIRA_BASE_URL: 'https://example.atlassian.net/',
  JIRA_EMAIL: 'robot@example.com',
  JIRA_API_TOKEN: 'tok-abc',
};
const desk = { JSM_SERVICE_DESK_ID: '1', JSM_REQUEST_TYPE_ID: '10' };
const project = { JIRA_PROJECT_KEY: 'its', JIRA_ISSUE_TYPE: 'Task' };

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('the Jira target', () => {
  it('a service desk pair gives request mode', () => {
    const c = loadConfig({ ...base, ...desk });
    expect(c.target).toEqual({ kind: 'request', serviceDeskId: '1', requestTypeId: '10' });
    expect(c).toMatchObject({ serviceDeskId: '1', requestTypeId: '10' });
  });

  it('a project pair gives issue mode, the key upper-cased, the issue type as written (name or id)', () => {
    expect(loadConfig({ ...base, ...project }).target).toEqual({ kind: 'issue', projectKey: 'ITS', issueType: 'Task' });
    expect(loadConfig({ ...base, JIRA_PROJECT_KEY: 'ITS', JIRA_ISSUE_TYPE: '10002' }).target).toEqual({ kind: 'issue', projectKey: 'ITS', issueType: '10002' });
    const c = loadConfig({ ...base, ...project });
    expect(c).toMatchObject({ serviceDeskId: '', requestTypeId: '' });
  });

  it('both pairs at once is refused, naming both pairs', () => {
    const p = problems({ ...base, ...desk, ...project }).join('\n');
    expect(p).toMatch(/set one pair, not both: JSM_SERVICE_DESK_ID \+ JSM_REQUEST_TYPE_ID .* or JIRA_PROJECT_KEY \+ JIRA_ISSUE_TYPE/);
  });

  it('neither pair names both pairs to choose from', () => {
    const p = problems(base).join('\n');
    for (const v of ['JSM_SERVICE_DESK_ID', 'JSM_REQUEST_TYPE_ID', 'JIRA_PROJECT_KEY', 'JIRA_ISSUE_TYPE']) expect(p).toContain(v);
  });

  it('half a pair names the missing half; a mixed half-and-half is refused as both', () => {
    expect(problems({ ...base, JIRA_PROJECT_KEY: 'ITS' }).join('\n')).toMatch(/^JIRA_ISSUE_TYPE is not set: the issue type to create in the project, by name or id/m);
    expect(problems({ ...base, JIRA_ISSUE_TYPE: 'Task' }).join('\n')).toMatch(/^JIRA_PROJECT_KEY is not set/m);
    expect(problems({ ...base, JSM_SERVICE_DESK_ID: '1' }).join('\n')).toMatch(/^JSM_REQUEST_TYPE_ID is not set/m);
    expect(problems({ ...base, JSM_SERVICE_DESK_ID: '1', JIRA_ISSUE_TYPE: 'Task' }).join('\n')).toContain('not both');
  });

  it('a project key that cannot be one is named; every problem still comes at once', () => {
    const p = problems({ ...base, JIRA_PROJECT_KEY: 'IT S', JIRA_ISSUE_TYPE: 'Task', BATCH_SIZE: 'lots' }).join('\n');
    expect(p).toContain('JIRA_PROJECT_KEY must be a project key such as ITS');
    expect(p).toContain('BATCH_SIZE');
  });

  it('RAISE_ON_BEHALF_OF_COLUMN needs a service desk', () => {
    expect(problems({ ...base, ...project, RAISE_ON_BEHALF_OF_COLUMN: 'email' }).join('\n')).toMatch(/RAISE_ON_BEHALF_OF_COLUMN works only with a service desk/);
    expect(problems({ ...base, ...desk, RAISE_ON_BEHALF_OF_COLUMN: 'email' })).toEqual([]);
  });

  it("'local' commands take whichever pair is set, unchecked", () => {
    expect(loadConfig({ JIRA_PROJECT_KEY: 'its' }, 'local').target).toEqual({ kind: 'issue', projectKey: 'ITS', issueType: '' });
    expect(loadConfig({}, 'local').target.kind).toBe('request');
  });
});
