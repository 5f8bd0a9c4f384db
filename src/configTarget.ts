// Where tickets go, read from the environment: exactly one of the two pairs, a service desk's
// request type (JSM_SERVICE_DESK_ID + JSM_REQUEST_TYPE_ID) or a plain project's issue type
// (JIRA_PROJECT_KEY + JIRA_ISSUE_TYPE). Anything else is a problem that names the pair to set.
import type { Reader } from './config.js';

/** Where tickets go, decided once: a service desk's request type (JSM request API) or a plain
 *  project's issue type (Jira's issue API). Callers branch on `kind`, nowhere else on variables. */
export type JiraTarget =
  | { kind: 'request'; serviceDeskId: string; requestTypeId: string }
  | { kind: 'issue'; projectKey: string; /** JIRA_ISSUE_TYPE: the issue type's name or id. */ issueType: string };

const REQUEST_PAIR = 'JSM_SERVICE_DESK_ID + JSM_REQUEST_TYPE_ID (a Jira Service Management request type)';
const ISSUE_PAIR = 'JIRA_PROJECT_KEY + JIRA_ISSUE_TYPE (a plain Jira project and issue type)';
// Jira's project keys: a letter, then letters, digits or underscores.
const PROJECT_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Exactly one of the two pairs. 'local' commands take whatever is set, unchecked. A message
 *  names only the variable it is about: doctor skips the checks that need the names it finds. */
export function readTarget(r: Reader, all: boolean): JiraTarget {
  const desk = r.raw('JSM_SERVICE_DESK_ID');
  const requestType = r.raw('JSM_REQUEST_TYPE_ID');
  const project = r.raw('JIRA_PROJECT_KEY');
  const issueType = r.raw('JIRA_ISSUE_TYPE');
  const jsm = desk !== undefined || requestType !== undefined;
  const plain = project !== undefined || issueType !== undefined;
  if (!all) {
    return plain && !jsm ? { kind: 'issue', projectKey: (project ?? '').toUpperCase(), issueType: issueType ?? '' } : { kind: 'request', serviceDeskId: desk ?? '', requestTypeId: requestType ?? '' };
  }
  if (jsm && plain) {
    r.problems.push(`set one pair, not both: ${REQUEST_PAIR}, or ${ISSUE_PAIR}; unset the other two`);
    return { kind: 'request', serviceDeskId: desk ?? '', requestTypeId: requestType ?? '' };
  }
  if (!jsm && !plain) {
    r.missing = true;
    r.problems.push(`where to create tickets is not set: set ${REQUEST_PAIR}, or ${ISSUE_PAIR} (README: Configuration)`);
    return { kind: 'request', serviceDeskId: '', requestTypeId: '' };
  }
  if (jsm) {
    return {
      kind: 'request',
      serviceDeskId: r.required('JSM_SERVICE_DESK_ID', 'the id of the JSM service desk (a number, see README)'),
      requestTypeId: r.required('JSM_REQUEST_TYPE_ID', 'the id of the request type to create (a number, see README)'),
    };
  }
  const key = r.required('JIRA_PROJECT_KEY', 'the key of the plain Jira project to create issues in (e.g. ITS)');
  const type = r.required('JIRA_ISSUE_TYPE', 'the issue type to create in the project, by name or id (e.g. Task)');
  if (key && !PROJECT_KEY.test(key)) r.problems.push(`JIRA_PROJECT_KEY must be a project key such as ITS (letters, digits, _), got "${key}"`);
  return { kind: 'issue', projectKey: key.toUpperCase(), issueType: type };
}


/** How texts name what jira-sync creates and where its fields are set, by target: issue mode
 *  never speaks of requests, and request mode's words stay as they were. */
export interface TargetWords {
  /** "request" / "issue". */
  ticket: string;
  /** "a request" / "an issue". */
  aTicket: string;
  /** Where Jira lists the fields a ticket takes: "the request type" / "the issue type's create screen". */
  fieldsIn: string;
  /** What to look at in Jira when it refuses a ticket. */
  refusalFix: string;
}

export function targetWords(kind: JiraTarget['kind']): TargetWords {
  return kind === 'issue'
    ? { ticket: 'issue', aTicket: 'an issue', fieldsIn: "the issue type's create screen", refusalFix: "the issue type's create screen or the project's permissions" }
    : { ticket: 'request', aTicket: 'a request', fieldsIn: 'the request type', refusalFix: "the request type's fields or permissions" };
}
