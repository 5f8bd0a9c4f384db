// Which column feeds which Jira field, guessed from their names. A guess is only a proposal:
// every match records how it was made, so the person reading field_mapping.json can judge
// it, and the rules are deliberately few and predictable rather than clever.
import type { ColumnInfo } from '../adapters/postgres/values.js';

export type MatchKind = 'exact' | 'synonym' | 'prefix';

/** "Email address", "email_address", "EmailAddress" and "e-mail Address" all become "emailaddress". */
export function normalizeName(s: string): string {
  return s.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Words of a name: split on anything not a letter or digit, and between camelCase humps. */
export function nameWords(s: string): string[] {
  return s
    .normalize('NFKD')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

// Names that mean the same thing on a web form, written normalised. Kept small on purpose:
// each entry is a match a person would make without hesitating.
const SYNONYM_GROUPS: string[][] = [
  ['summary', 'subject', 'requestsummary', 'shortdescription'],
  ['email', 'emailaddress', 'mail', 'mailaddress', 'emailid'],
  ['phone', 'phonenumber', 'telephone', 'telephonenumber', 'tel', 'phoneno', 'contactnumber'],
  ['mobile', 'mobilenumber', 'mobilephone', 'cellphone', 'cell'],
  ['department', 'departmentname', 'dept', 'deptname'],
  ['job', 'jobtitle', 'title', 'position', 'role'],
  ['name', 'fullname', 'yourname'],
  ['firstname', 'givenname', 'forename'],
  ['lastname', 'surname', 'familyname'],
  ['company', 'companyname', 'organisation', 'organization', 'organisationname', 'organizationname'],
  ['manager', 'linemanager', 'managername', 'supervisor'],
  ['location', 'office', 'site', 'officelocation'],
  ['quantity', 'qty', 'numberofitems', 'count'],
  ['neededby', 'requiredby', 'duedate', 'deadline', 'needby'],
  ['startdate', 'start', 'firstday'],
  ['notes', 'note', 'comments', 'comment', 'remarks', 'additionalinformation', 'additionalinfo'],
  ['costcenter', 'costcentre', 'costcode'],
  ['employeeid', 'employeenumber', 'staffid', 'staffnumber'],
];

const SYNONYMS = new Map<string, number>(SYNONYM_GROUPS.flatMap((g, i) => g.map((n): [string, number] => [n, i])));

// Leading words forms and tables like to add ("customer_email", "Your phone number"); a
// name with one of them removed is still the same name.
const LEADING_WORDS = new Set(['customer', 'requester', 'requestor', 'reporter', 'submitter', 'user', 'your', 'form', 'contact', 'applicant', 'employee', 'cf']);

function sameOrSynonym(a: string, b: string): boolean {
  if (a === b) return true;
  const ga = SYNONYMS.get(a);
  return ga !== undefined && ga === SYNONYMS.get(b);
}

/** The name with its first word dropped when that word is a known leading word. */
function withoutLeading(words: string[]): string[] {
  return words.length > 1 && LEADING_WORDS.has(words[0] as string) ? words.slice(1) : words;
}

/**
 * How a field name and a column name match, or null. Exact: equal once normalised.
 * Synonym: in the same synonym group. Prefix: equal (or synonyms) after dropping a common
 * leading word ("customer_email" ~ "Email"), or one name's words begin the other's and the
 * shorter name is a whole word of 3+ letters ("department" ~ "Department name",
 * "job" ~ "Job title").
 */
export function matchNames(fieldName: string, columnName: string): MatchKind | null {
  const f = normalizeName(fieldName);
  const c = normalizeName(columnName);
  if (f === '' || c === '') return null;
  if (f === c) return 'exact';
  if (sameOrSynonym(f, c)) return 'synonym';
  const fw = withoutLeading(nameWords(fieldName));
  const cw = withoutLeading(nameWords(columnName));
  if (sameOrSynonym(fw.join(''), cw.join(''))) return 'prefix';
  const [short, long] = fw.length <= cw.length ? [fw, cw] : [cw, fw];
  if (short.length > 0 && short.length < long.length && short.join('').length >= 3 && short.every((w, i) => w === long[i])) return 'prefix';
  return null;
}

export interface Matchable {
  fieldId: string;
  name: string;
}

export interface ColumnMatch {
  column: string;
  match: MatchKind;
}

const ORDER: MatchKind[] = ['exact', 'synonym', 'prefix'];

/**
 * Proposes a column for each field. All exact matches are settled first, then synonyms, then
 * prefixes, and a column taken at one level is not offered again: so "email_address" goes to
 * "Email address" (exact) even if "Contact email" would also like it (prefix). Within a level
 * a field takes the first column in table order; a field id equal to a column name
 * (customfield_10010) counts as exact too.
 */
export function matchColumns(fields: readonly Matchable[], columns: readonly ColumnInfo[], taken: ReadonlySet<string> = new Set()): Map<string, ColumnMatch> {
  const result = new Map<string, ColumnMatch>();
  const used = new Set(taken);
  for (const level of ORDER) {
    for (const field of fields) {
      if (result.has(field.fieldId)) continue;
      const col = columns.find((c) => !used.has(c.name) && (matchNames(field.name, c.name) === level || (level === 'exact' && normalizeName(field.fieldId) === normalizeName(c.name))));
      if (!col) continue;
      result.set(field.fieldId, { column: col.name, match: level });
      used.add(col.name);
    }
  }
  return result;
}
