// Issue mode's target, as Jira knows it: JIRA_PROJECT_KEY's project, JIRA_ISSUE_TYPE (a name or
// an id) among its issue types, and that issue type's create screen. map-fields, doctor and the
// first-run check ask the same questions, so a wrong key or type is said the same way everywhere:
// with the projects or issue types that do exist.
import { asJiraError } from '../adapters/jira/errors.js';
import type { JiraGateway, RequestTypeField } from '../adapters/jira/gateway.js';
import * as issueApi from '../adapters/jira/issueApi.js';
import type { IssueType } from '../adapters/jira/issueApi.js';
import type { ResolvedConfig } from '../config.js';
import { ConfigError, DependencyError } from '../errors.js';
import { describeJiraFailure } from '../preflight.js';
import { listExisting } from './existing.js';
import type { DoctorReport } from './report.js';

type IssueConfig = Pick<ResolvedConfig, 'target' | 'jiraAuth' | 'jiraBaseUrl'>;

/** A project or issue type Jira does not have: what is wrong, what exists, what to set. As a
 *  ConfigError it reads as one problem with the list under it; doctor prints the parts. */
export class NotInJira extends ConfigError {
  constructor(
    readonly what: 'project' | 'issue type',
    readonly detail: string,
    readonly items: string[],
    readonly fix: string,
  ) {
    super([[`${detail}; ${fix}:`, ...items.map((l) => `    ${l}`)].join('\n')]);
  }
}

function projectKeyOf(config: IssueConfig): string {
  return config.target.kind === 'issue' ? config.target.projectKey : '';
}

/** The projects the account can see, for a message about a wrong JIRA_PROJECT_KEY. */
export function projectsListed(jira: JiraGateway): Promise<string[]> {
  return listExisting(() => issueApi.listProjects(jira.issueClients()), 'projects');
}

export function issueTypesListed(types: readonly IssueType[]): string[] {
  const width = Math.max(0, ...types.map((t) => t.id.length));
  return types.length === 0 ? ['the project offers this account no issue type to create'] : types.map((t) => `${t.id.padEnd(width)}  ${t.name}${t.subtask ? ' (sub-task: needs a parent, cannot be used)' : ''}`);
}

/** The project, or a ConfigError naming the projects there are (a 404), or the dependency error. */
export async function checkProject(jira: JiraGateway, config: IssueConfig): Promise<{ id: string; key: string; name: string }> {
  try {
    return await issueApi.getProject(jira.issueClients());
  } catch (err) {
    const e = asJiraError(err, 'get project');
    if (e.kind !== 'not-found') throw describeJiraFailure(e, config);
    const detail = `JIRA_PROJECT_KEY: project ${projectKeyOf(config)} was not found in Jira, or this account cannot see it`;
    throw new NotInJira('project', detail, await projectsListed(jira), 'set JIRA_PROJECT_KEY to one of the projects it can see');
  }
}

/** JIRA_ISSUE_TYPE among the project's issue types, or a ConfigError naming the ones there are. */
export async function resolveIssueType(jira: JiraGateway, config: IssueConfig): Promise<IssueType> {
  let types: IssueType[];
  try {
    types = await issueApi.listIssueTypes(jira.issueClients());
  } catch (err) {
    const e = asJiraError(err, 'list issue types');
    if (e.kind !== 'not-found') throw describeJiraFailure(e, config);
    // The project is there (checkProject throws when it is not), yet Jira will not list what
    // this account may create in it: a permission, not Jira having trouble.
    const p = await checkProject(jira, config);
    const detail = `JIRA_PROJECT_KEY: project ${p.key} exists, but Jira lists no issue types this account can create in it (${e.jiraMessage || 'not found'})`;
    throw new NotInJira('issue type', detail, await projectsListed(jira), `give the account the Create Issues permission in project ${p.key}, or set JIRA_PROJECT_KEY to another of the projects it can see`);
  }
  const wanted = config.target.kind === 'issue' ? config.target.issueType : '';
  const found = issueApi.findIssueType(types, wanted);
  if (!found || found.subtask) {
    const why = found ? `is a sub-task type (it needs a parent issue)` : `is not an issue type of project ${projectKeyOf(config)} this account can create`;
    throw new NotInJira('issue type', `JIRA_ISSUE_TYPE: "${wanted}" ${why}`, issueTypesListed(types.filter((t) => !t.subtask)), 'set JIRA_ISSUE_TYPE to the name or id of one of its issue types');
  }
  return found;
}

/** The issue type and its create screen, every page of it. */
export async function issueTypeFields(jira: JiraGateway, config: IssueConfig): Promise<{ type: IssueType; fields: RequestTypeField[] }> {
  const type = await resolveIssueType(jira, config);
  try {
    return { type, fields: await issueApi.createScreenFields(jira.issueClients(), type.id) };
  } catch (err) {
    throw describeJiraFailure(asJiraError(err, 'get create screen fields'), config);
  }
}

/** Doctor's three issue-mode checks: the project, the issue type, its create screen. The
 *  screen's fields when all pass, else null. */
export async function checkIssueTarget(r: DoctorReport, jira: JiraGateway, config: IssueConfig, jiraFix: (e: unknown) => string): Promise<RequestTypeField[] | null> {
  const fail = (what: string, err: unknown, skip: string[]) => {
    if (err instanceof NotInJira) r.fail({ kind: 'config', what, detail: err.detail, items: err.items, fix: err.fix });
    else if (err instanceof DependencyError) r.fail({ kind: 'dependency', what, detail: err.message.replace(/^Jira: /, ''), fix: jiraFix(err) });
    else throw err;
    for (const s of skip) r.skip(s, `the ${what} check failed`);
    return null;
  };
  try {
    const p = await checkProject(jira, config);
    r.ok('project', `${p.key}, ${p.name}`);
  } catch (err) {
    return fail('project', err, ['issue type', 'create screen']);
  }
  let type: IssueType;
  try {
    type = await resolveIssueType(jira, config);
    r.ok('issue type', `${type.name} (${type.id})`);
  } catch (err) {
    return fail('issue type', err, ['create screen']);
  }
  let fields: RequestTypeField[];
  try {
    fields = await issueApi.createScreenFields(jira.issueClients(), type.id);
  } catch (err) {
    return fail('create screen', describeJiraFailure(asJiraError(err, 'get create screen fields'), config), []);
  }
  if (!fields.some((f) => f.fieldId === 'summary')) {
    r.fail({ kind: 'config', what: 'create screen', detail: `the create screen of ${type.name} in ${projectKeyOf(config)} has no Summary field, so this account cannot create issues of it`, fix: 'check the project\'s permissions (Create Issues) and the issue type\'s create screen in Jira' });
    return null;
  }
  const required = fields.filter((f) => f.required).length;
  const marks = ['description', 'labels'].filter((id) => fields.some((f) => f.fieldId === id));
  const detail = `${fields.length} fields you can fill, ${required} required; the marker goes in ${marks.length > 0 ? marks.join(' and ') : 'nothing'}`;
  if (marks.length === 0) r.warn('create screen', `${detail}: after a crash jira-sync cannot tell whether an issue was created`, 'add Description or Labels to the create screen in Jira');
  else r.ok('create screen', detail);
  return fields;
}

/** ATTACHMENT_PUBLIC=true is a service desk's: a plain project has no customers, and its issue
 *  attachments are seen by whoever sees the issue. Not an error (the run works the same), but a
 *  person who set it expects something jira-sync cannot do there, so doctor says so. */
export function checkIssueOnlyOptions(r: DoctorReport, config: Pick<ResolvedConfig, 'target' | 'attachmentPublic'>): void {
  if (config.target.kind !== 'issue' || !config.attachmentPublic) return;
  r.warn(
    'ATTACHMENT_PUBLIC',
    'ATTACHMENT_PUBLIC=true has no effect in a plain Jira project: it has no customers, and the attached JSON is seen by whoever can see the issue',
    "unset ATTACHMENT_PUBLIC (or set it to false); who sees the issues is set by the project's permissions in Jira",
  );
}
