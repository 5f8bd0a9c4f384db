// doctor's list of .env.example placeholders must follow the file itself.
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { describe, expect, it } from 'vitest';
import { ENV_EXAMPLE_PLACEHOLDERS, placeholdersIn } from '../../src/placeholders.js';

const example = dotenv.parse(fs.readFileSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../.env.example')));

describe('.env.example', () => {
  it("lists every variable of the README's Configuration table, as that table says it does", () => {
    const readme = fs.readFileSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('### Finding the service desk'));
    const rows = table.split('\n').filter((l) => l.startsWith('| `'));
    const names = rows.flatMap((l) => [...(l.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
    expect(names.length).toBeGreaterThan(30);
    // Listed either with a value or commented out (optional ones whose mere presence changes things).
    const text = fs.readFileSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../.env.example'), 'utf8');
    const listed = new Set([...text.matchAll(/^(?:# ?)?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(names.filter((n) => !listed.has(n))).toEqual([]);
  });
});

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
