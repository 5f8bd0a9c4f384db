import type { JqlCondition, JqlQuery } from './jql.js';
import type { IndexedIssue } from './workflow.js';

/**
 * Evaluates a parsed JQL query against the search index's copy of each ticket
 * (workflow.ts), never the live one: that is what makes index lag visible.
 */

export function matchesJql(cond: JqlCondition | null, view: IndexedIssue): boolean {
  if (cond === null) return true;
  const { issue } = view;
  if ('op' in cond) {
    return cond.op === 'and'
      ? matchesJql(cond.left, view) && matchesJql(cond.right, view)
      : matchesJql(cond.left, view) || matchesJql(cond.right, view);
  }
  if ('cmp' in cond) {
    const t = cond.field === 'created' ? issue.createdAt : cond.field === 'updated' ? view.updatedAt : view.resolvedAt;
    // An empty date matches no comparison, as in Jira (use IS EMPTY for that, which the fake does not offer).
    if (t === null) return false;
    const c = cond.cmp;
    return c === '=' ? t === cond.at : c === '!=' ? t !== cond.at : c === '<' ? t < cond.at : c === '<=' ? t <= cond.at : c === '>' ? t > cond.at : t >= cond.at;
  }
  if ('negate' in cond) {
    const actual = cond.field === 'status' ? view.status.id : view.status.category;
    return cond.values.includes(actual) !== cond.negate;
  }
  if ('values' in cond) {
    // parseJql has turned project ids into keys and rejected projects that do not exist.
    if (cond.field === 'project') return cond.values.includes(issue.projectKey);
    if (cond.field === 'key') return cond.values.includes(issue.key);
    return cond.values.some((v) => issue.labels.includes(v));
  }
  const needle = cond.contains.toLowerCase();
  const haystacks =
    cond.field === 'summary' ? [issue.summary] : cond.field === 'description' ? [issue.description] : [issue.summary, issue.description];
  return haystacks.some((h) => h?.toLowerCase().includes(needle));
}

/** Without ORDER BY the fake returns newest first, so callers must not rely on an implicit order. */
export function sortByJql(found: IndexedIssue[], orderBy: JqlQuery['orderBy']): IndexedIssue[] {
  const order = orderBy.length > 0 ? orderBy : [{ field: 'created' as const, direction: 'DESC' as const }];
  const seq = (v: IndexedIssue) => Number(v.issue.key.slice(v.issue.key.lastIndexOf('-') + 1));
  // Keys order as Jira's do: by project key, then by number (HW-2 before HW-10 before ITS-1).
  const byKey = (a: IndexedIssue, b: IndexedIssue) => a.issue.projectKey.localeCompare(b.issue.projectKey) || seq(a) - seq(b);
  return [...found].sort((a, b) => {
    for (const { field, direction } of order) {
      const d =
        field === 'created'
          ? a.issue.createdAt - b.issue.createdAt || byKey(a, b)
          : field === 'updated'
            ? a.updatedAt - b.updatedAt || byKey(a, b)
            : byKey(a, b);
      if (d !== 0) return direction === 'ASC' ? d : -d;
    }
    return 0;
  });
}
