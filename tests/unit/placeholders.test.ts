// doctor's list of .env.example placeholders must follow the file itself.
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { describe, expect, it } from 'vitest';
import { ENV_EXAMPLE_PLACEHOLDERS, placeholdersIn } from '../../src/placeholders.js';

const example = dotenv.parse(fs.readFileSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../.env.example')));

describe('.env.example placeholders', () => {
  it('every placeholder-looking value in .env.example is in the list, with the same value', () => {
    const looking = Object.entries(example).filter(([, v]) => /CHANGE_ME|example\.(com|internal)|your-company/.test(v));
    expect(looking.length).toBeGreaterThanOrEqual(4);
    for (const [name, value] of looking) expect(ENV_EXAMPLE_PLACEHOLDERS[name], name).toBe(value);
    for (const [name, value] of Object.entries(ENV_EXAMPLE_PLACEHOLDERS)) expect(example[name], name).toBe(value);
  });

  it('flags exact placeholders and a CHANGE_ME left inside a value, nothing else', () => {
    expect(placeholdersIn(example).sort()).toEqual(['DATABASE_URL', 'JIRA_API_TOKEN', 'JIRA_BASE_URL', 'JIRA_EMAIL']);
    expect(placeholdersIn({ DATABASE_URL: 'postgres://app:CHANGE_ME@db.corp:5432/forms' })).toEqual(['DATABASE_URL']);
    expect(placeholdersIn({ DATABASE_URL: 'postgres://app:pw@db.corp:5432/forms', JIRA_EMAIL: 'robot@example.com', JIRA_API_TOKEN: '' })).toEqual([]);
  });
});
