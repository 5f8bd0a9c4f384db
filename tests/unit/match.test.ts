import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../src/adapters/postgres/values.js';
import { matchColumns, matchNames, nameWords, normalizeName } from '../../src/mapping/match.js';

const col = (name: string, pgType = 'text'): ColumnInfo => ({ name, pgType, kind: 'text' });

describe('normalizeName and nameWords', () => {
  it('reduces spelling variants to one key', () => {
    for (const n of ['Email address', 'email_address', 'EmailAddress', 'e-mail Address', ' EMAIL  ADDRESS ']) {
      expect(normalizeName(n)).toBe('emailaddress');
    }
  });
  it('drops accents rather than whole letters', () => {
    expect(normalizeName('Département')).toBe('departement');
  });
  it('splits on separators and camelCase', () => {
    expect(nameWords('jobTitle')).toEqual(['job', 'title']);
    expect(nameWords('New user name')).toEqual(['new', 'user', 'name']);
    expect(nameWords('department_name')).toEqual(['department', 'name']);
  });
});

describe('matchNames', () => {
  it.each([
    ['Email address', 'email_address'],
    ['Needed by', 'needed_by'],
    ['Quantity', 'QUANTITY'],
  ])('exact: %s ~ %s', (field, column) => expect(matchNames(field, column)).toBe('exact'));

  it.each([
    ['Department', 'department_name'],
    ['Department name', 'department'],
    ['Phone', 'phonenumber'],
    ['Phone number', 'telephone'],
    ['Email', 'email_address'],
    ['Job title', 'job'],
    ['Organisation', 'company'],
    ['Summary', 'subject'],
  ])('synonym: %s ~ %s', (field, column) => expect(matchNames(field, column)).toBe('synonym'));

  it.each([
    ['Email', 'customer_email'], // common leading word dropped
    ['Your phone number', 'tel'], // leading word dropped, then a synonym
    ['Equipment', 'equipment_type'], // the field's words begin the column's
    ['Cost centre code', 'cost_centre'],
  ])('prefix: %s ~ %s', (field, column) => expect(matchNames(field, column)).toBe('prefix'));

  it.each([
    ['Name', 'new_user_name'], // "name" is not where the column starts
    ['ID', 'idea'], // not a whole word, and too short
    ['Notes', 'notebook_model'],
    ['Email address', 'phone'],
    ['', 'email'],
  ])('no match: %s ~ %s', (field, column) => expect(matchNames(field, column)).toBeNull());
});

describe('matchColumns', () => {
  const fields = [
    { fieldId: 'customfield_1', name: 'Contact email' },
    { fieldId: 'customfield_2', name: 'Email address' },
    { fieldId: 'customfield_3', name: 'Department' },
    { fieldId: 'customfield_4', name: 'Job title' },
    { fieldId: 'customfield_5', name: 'Something else' },
  ];
  const columns = [col('email_address'), col('department_name'), col('job'), col('id', 'bigint')];

  it('settles exact matches before synonyms and prefixes, and gives each column to one field', () => {
    const m = matchColumns(fields, columns);
    // "Contact email" would take email_address by prefix, but "Email address" matches it exactly.
    expect(m.get('customfield_2')).toEqual({ column: 'email_address', match: 'exact' });
    expect(m.has('customfield_1')).toBe(false);
    expect(m.get('customfield_3')).toEqual({ column: 'department_name', match: 'synonym' });
    expect(m.get('customfield_4')).toEqual({ column: 'job', match: 'synonym' });
    expect(m.has('customfield_5')).toBe(false);
  });

  it('leaves columns already taken to their fields', () => {
    const m = matchColumns(fields, columns, new Set(['email_address']));
    expect(m.has('customfield_2')).toBe(false);
    expect(m.has('customfield_1')).toBe(false);
  });

  it('matches a column named like the field id exactly', () => {
    const m = matchColumns([{ fieldId: 'customfield_10010', name: 'Reference' }], [col('customfield_10010')]);
    expect(m.get('customfield_10010')).toEqual({ column: 'customfield_10010', match: 'exact' });
  });

  it('prefers the first column in table order within one level', () => {
    const m = matchColumns([{ fieldId: 'f', name: 'Phone' }], [col('telephone'), col('phone_number')]);
    expect(m.get('f')).toEqual({ column: 'telephone', match: 'synonym' });
  });
});
