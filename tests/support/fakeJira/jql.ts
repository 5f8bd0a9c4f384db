import { invalidDateMessage, parseJqlDate } from './timeZone.js';
import { STATUS_CATEGORIES, type Workflow } from './workflow.js';

/**
 * The small JQL subset jira-sync needs. Anything else is a 400, on purpose: if
 * production code starts relying on other JQL, tests should fail loudly rather
 * than silently get "all issues" from the fake. Values are checked as Jira
 * checks them (unknown status, missing key, malformed date: 400), and date
 * literals are read in the account's time zone (timeZone.ts).
 */
export type DateField = 'created' | 'updated' | 'resolutiondate';
export type JqlCondition =
  | { op: 'and' | 'or'; left: JqlCondition; right: JqlCondition }
  | { field: 'labels' | 'project' | 'key'; values: string[] }
  /** Status ids, or status category keys; `negate` for != and NOT IN. */
  | { field: 'status' | 'statusCategory'; values: string[]; negate: boolean }
  | { field: DateField; cmp: '=' | '!=' | '<' | '<=' | '>' | '>='; at: number }
  | { field: 'text' | 'summary' | 'description'; contains: string };

export interface JqlQuery {
  where: JqlCondition | null;
  orderBy: { field: 'created' | 'updated' | 'key'; direction: 'ASC' | 'DESC' }[];
  /** Problems that validateQuery=warn turns from errors into warnings. */
  warnings: string[];
}

export interface JqlEnv {
  /** Every project JQL can name (the service desk's and the plain one), by key or id. */
  projects: { key: string; id: string }[];
  workflow: Workflow;
  timeZone: string;
  now: number;
  issueExists: (key: string) => boolean;
  /** Jira's default: a key that does not exist is an error, not a warning. */
  strictKeys: boolean;
}

export class JqlError extends Error {}

type Token = { kind: 'word' | 'string' | 'punct'; text: string; at: number };

const SUPPORTED =
  'labels, project, key|issuekey = / in (…); status, statusCategory = / != / in / not in; created, updated, resolutiondate = != < <= > >= "date"; ' +
  'text ~, summary ~, description ~, AND, OR, ( ), ORDER BY created|updated|key ASC|DESC';

const DATE_FIELDS: Record<string, DateField> = {
  created: 'created',
  createddate: 'created',
  updated: 'updated',
  updateddate: 'updated',
  resolutiondate: 'resolutiondate',
  resolved: 'resolutiondate',
};

export function parseJql(jql: string, env: JqlEnv): JqlQuery {
  const tokens = tokenize(jql);
  const warnings: string[] = [];
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text.toLowerCase() === w;
  const fail = (what: string, t: Token | undefined): never => {
    const where = t ? `'${t.text}' at position ${t.at}` : 'the end of the query';
    throw new JqlError(`Error in the JQL Query: ${what} but got ${where}. (The fake Jira supports only: ${SUPPORTED}.) The invalid query was '${jql}'.`);
  };
  const expectPunct = (p: string) => {
    const t = tokens[pos++];
    if (t?.kind !== 'punct' || t.text !== p) fail(`Expecting '${p}'`, t);
  };
  const value = (): string => {
    const t = tokens[pos++];
    if (t && (t.kind === 'string' || (t.kind === 'word' && !KEYWORDS.has(t.text.toLowerCase())))) return t.text;
    return fail('Expecting a value', t);
  };
  const list = (): string[] => {
    expectPunct('(');
    const values = [value()];
    while (peek()?.text === ',') {
      pos++;
      values.push(value());
    }
    expectPunct(')');
    return values;
  };
  const noSuchValue = (v: string, field: string): never => {
    throw new JqlError(`The value '${v}' does not exist for the field '${field}'.`);
  };

  const clause = (): JqlCondition => {
    const fieldTok = tokens[pos++];
    if (fieldTok?.kind === 'punct' && fieldTok.text === '(') {
      const inner = or();
      expectPunct(')');
      return inner;
    }
    const name = fieldTok?.kind === 'word' || fieldTok?.kind === 'string' ? fieldTok.text : '';
    const field = name.toLowerCase();
    const opTok = tokens[pos++];
    let op = opTok?.text.toLowerCase();
    if (op === 'not' && isWord(peek(), 'in')) {
      pos++;
      op = 'not in';
    }
    const eqOrIn = (allowNegation: boolean): { values: string[]; negate: boolean } => {
      if (op === '=' || (allowNegation && op === '!=')) return { values: [value()], negate: op === '!=' };
      if (op === 'in' || (allowNegation && op === 'not in')) return { values: list(), negate: op === 'not in' };
      return fail(`Expecting '=' or 'in'${allowNegation ? ", '!=' or 'not in'" : ''} after '${name}'`, opTok);
    };
    if (field === 'labels' || field === 'project') {
      const { values } = eqOrIn(false);
      if (field === 'labels') return { field, values };
      // Normalised to keys, so matching is a plain comparison with the issue's project key.
      const projectKey = (v: string) => env.projects.find((p) => v.toUpperCase() === p.key || v === p.id)?.key ?? noSuchValue(v, 'project');
      return { field, values: values.map(projectKey) };
    }
    if (field === 'key' || field === 'issuekey') {
      const values: string[] = [];
      for (const v of eqOrIn(false).values) {
        if (!/^[A-Za-z][A-Za-z0-9_]*-\d+$/.test(v)) throw new JqlError(`The issue key '${v}' for field '${name}' is invalid.`);
        if (env.issueExists(v)) values.push(v.toUpperCase());
        else if (env.strictKeys) throw new JqlError(`An issue with key '${v.toUpperCase()}' does not exist for field '${name}'.`);
        else warnings.push(`An issue with key '${v.toUpperCase()}' does not exist for field '${name}'.`);
      }
      return { field: 'key', values };
    }
    if (field === 'status') {
      const { values, negate } = eqOrIn(true);
      return { field: 'status', negate, values: values.map((v) => env.workflow.findStatus(v)?.id ?? noSuchValue(v, name)) };
    }
    if (field === 'statuscategory') {
      const { values, negate } = eqOrIn(true);
      const categoryKey = (v: string) =>
        Object.values(STATUS_CATEGORIES).find((c) => [c.key, c.name.toLowerCase(), String(c.id)].includes(v.toLowerCase()))?.key;
      return { field: 'statusCategory', negate, values: values.map((v) => categoryKey(v) ?? noSuchValue(v, name)) };
    }
    const dateField = DATE_FIELDS[field];
    if (dateField) {
      if (op !== '=' && op !== '!=' && op !== '<' && op !== '<=' && op !== '>' && op !== '>=') {
        return fail(`Expecting one of '=', '!=', '<', '<=', '>', '>=' after '${name}'`, opTok);
      }
      const v = value();
      const at = parseJqlDate(v, env.timeZone, env.now);
      if (at === undefined) throw new JqlError(invalidDateMessage(name, v));
      return { field: dateField, cmp: op, at };
    }
    if (field === 'text' || field === 'summary' || field === 'description') {
      if (op !== '~') fail(`Expecting '~' after '${name}'`, opTok);
      return { field, contains: value() };
    }
    return fail('Expecting a supported field', fieldTok);
  };
  const and = (): JqlCondition => {
    let left = clause();
    while (isWord(peek(), 'and')) {
      pos++;
      left = { op: 'and', left, right: clause() };
    }
    return left;
  };
  const or = (): JqlCondition => {
    let left = and();
    while (isWord(peek(), 'or')) {
      pos++;
      left = { op: 'or', left, right: and() };
    }
    return left;
  };

  const where = tokens.length === 0 || isWord(peek(), 'order') ? null : or();
  const orderBy: JqlQuery['orderBy'] = [];
  if (isWord(peek(), 'order')) {
    pos++;
    if (!isWord(tokens[pos++], 'by')) fail("Expecting 'by'", tokens[pos - 1]);
    do {
      if (peek()?.text === ',') pos++;
      const f = tokens[pos++];
      const name = f?.text.toLowerCase() ?? '';
      const field = name === 'key' || name === 'issuekey' ? 'key' : DATE_FIELDS[name];
      if (field !== 'created' && field !== 'updated' && field !== 'key') return fail("Expecting 'created', 'updated' or 'key' in ORDER BY", f);
      let direction: 'ASC' | 'DESC' = 'ASC';
      if (isWord(peek(), 'asc') || isWord(peek(), 'desc')) direction = tokens[pos++]!.text.toUpperCase() as 'ASC' | 'DESC';
      orderBy.push({ field, direction });
    } while (peek()?.text === ',');
  }
  if (pos < tokens.length) fail('Expecting AND, OR, ORDER BY or the end of the query', peek());
  return { where, orderBy, warnings };
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'order', 'by', 'is', 'empty', 'null']);

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      const start = i++;
      let text = '';
      while (i < jql.length && jql[i] !== c) {
        if (jql[i] === '\\' && i + 1 < jql.length) i++;
        text += jql[i++];
      }
      if (i >= jql.length) throw new JqlError(`Error in the JQL Query: The quoted string starting at position ${start} is not terminated. The invalid query was '${jql}'.`);
      i++;
      tokens.push({ kind: 'string', text, at: start });
    } else if (/[()=,~]/.test(c)) {
      tokens.push({ kind: 'punct', text: c, at: i++ });
    } else if (/[!<>]/.test(c)) {
      const m = /^(!=|!~|<=|>=|<|>)/.exec(jql.slice(i));
      tokens.push({ kind: 'punct', text: m?.[0] ?? c, at: i });
      i += m?.[0].length ?? 1;
    } else {
      const m = /^[^\s()=,~!<>"']+/.exec(jql.slice(i));
      const text = m?.[0] ?? c;
      tokens.push({ kind: 'word', text, at: i });
      i += text.length;
    }
  }
  return tokens;
}
