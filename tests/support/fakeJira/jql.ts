import type { FakeIssue } from './types.js';

/**
 * The small JQL subset jira-sync needs. Anything else is a 400, on purpose: if
 * production code starts relying on other JQL, tests should fail loudly rather
 * than silently get "all issues" from the fake.
 */
export type JqlCondition =
  | { op: 'and' | 'or'; left: JqlCondition; right: JqlCondition }
  | { field: 'labels' | 'project'; values: string[] }
  | { field: 'text' | 'summary' | 'description'; contains: string };

export interface JqlQuery {
  where: JqlCondition | null;
  orderBy: { field: 'created' | 'key'; direction: 'ASC' | 'DESC' }[];
}

export class JqlError extends Error {}

type Token = { kind: 'word' | 'string' | 'punct'; text: string; at: number };

const SUPPORTED = 'labels =, labels in (…), text ~, summary ~, description ~, project =, AND, OR, ( ), ORDER BY created|key ASC|DESC';

export function parseJql(jql: string, projects: { key: string; id: string }[]): JqlQuery {
  const tokens = tokenize(jql);
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

  const clause = (): JqlCondition => {
    const fieldTok = tokens[pos++];
    if (fieldTok?.kind === 'punct' && fieldTok.text === '(') {
      const inner = or();
      expectPunct(')');
      return inner;
    }
    const field = fieldTok?.kind === 'word' ? fieldTok.text.toLowerCase() : '';
    const opTok = tokens[pos++];
    const op = opTok?.text.toLowerCase();
    if (field === 'labels' || field === 'project') {
      let values: string[];
      if (op === '=') values = [value()];
      else if (op === 'in' && opTok?.kind === 'word') values = list();
      else return fail(`Expecting '=' or 'in' after '${field}'`, opTok);
      if (field === 'project') {
        // Normalised to keys, so matching is a plain comparison with the issue's project key.
        values = values.map((v) => {
          const p = projects.find((x) => v.toUpperCase() === x.key || v === x.id);
          if (!p) throw new JqlError(`The value '${v}' does not exist for the field 'project'.`);
          return p.key;
        });
      }
      return { field, values };
    }
    if (field === 'text' || field === 'summary' || field === 'description') {
      if (op !== '~') fail(`Expecting '~' after '${field}'`, opTok);
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
      const field = f?.text.toLowerCase();
      if (field !== 'created' && field !== 'key') return fail("Expecting 'created' or 'key' in ORDER BY", f);
      let direction: 'ASC' | 'DESC' = 'ASC';
      if (isWord(peek(), 'asc') || isWord(peek(), 'desc')) direction = tokens[pos++]!.text.toUpperCase() as 'ASC' | 'DESC';
      orderBy.push({ field, direction });
    } while (peek()?.text === ',');
  }
  if (pos < tokens.length) fail('Expecting AND, OR, ORDER BY or the end of the query', peek());
  return { where, orderBy };
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

export function matchesJql(cond: JqlCondition | null, issue: FakeIssue): boolean {
  if (cond === null) return true;
  if ('op' in cond) {
    return cond.op === 'and'
      ? matchesJql(cond.left, issue) && matchesJql(cond.right, issue)
      : matchesJql(cond.left, issue) || matchesJql(cond.right, issue);
  }
  if ('values' in cond) {
    return cond.field === 'project' ? cond.values.includes(issue.projectKey) : cond.values.some((v) => issue.labels.includes(v));
  }
  const needle = cond.contains.toLowerCase();
  const haystacks =
    cond.field === 'summary' ? [issue.summary] : cond.field === 'description' ? [issue.description] : [issue.summary, issue.description];
  return haystacks.some((h) => h?.toLowerCase().includes(needle));
}

/** Without ORDER BY the fake returns newest first, so callers must not rely on an implicit order. */
export function sortByJql(issues: FakeIssue[], orderBy: JqlQuery['orderBy']): FakeIssue[] {
  const order = orderBy.length > 0 ? orderBy : [{ field: 'created' as const, direction: 'DESC' as const }];
  const seq = (i: FakeIssue) => Number(i.key.slice(i.key.lastIndexOf('-') + 1));
  return [...issues].sort((a, b) => {
    for (const { field, direction } of order) {
      const d = field === 'created' ? a.createdAt - b.createdAt || seq(a) - seq(b) : seq(a) - seq(b);
      if (d !== 0) return direction === 'ASC' ? d : -d;
    }
    return 0;
  });
}
