// Issue mode's target, as Jira knows it: JIRA_PROJECT_KEY's project, JIRA_ISSUE_TYPE (a name or
// an id) among its issue types, and that issue type's create screen. map-fields, doctor and the
// first-run check ask the same questions, so a wrong key or type is said the same way everywhere:
// with the projects or issue types that do exist.
import { asJiraError } from '../adapters/jira/errors.js';
import type { JiraGateway, RequestTypeField } from '../adapters/jira/gateway.js';
import * as issueApi from '../adapters/jira/issueApi.js';
import type { IssueType } from '../adapters/jira/issueApi.js';
import type { ResolvedConfig } from '../config.js';
import { ConfigError, errorMessage } from '../errors.js';
import { describeJiraFailure } from '../preflight.js';

type IssueConfig = Pick<ResolvedConfig, 'target' | 'jiraAuth' | 'jiraBaseUrl'>;

const lines = (head: string, items: string[]) => [head, ...items.map((l) => `    ${l}`)].join('\n');

/** "id  name" lines of what exists, or why they could not be listed. */
async function listed(list: () => Promise<{ id: string; name: string }[]>, what: string): Promise<string[]> {
  try {
    const found = await list();
    if (found.length === 0) return [`this account sees no ${what}`];
    const width = Math.max(...found.map((f) => f.id.length));
    return found.map((f) => `${f.id.padEnd(width)}  ${f.name}`);
  } catch (err) {
    return [`(the ${what} could not be listed: ${errorMessage(err)})`];
  }
}

function projectKeyOf(config: IssueConfig): string {
  return config.target.kind === 'issue' ? config.target.projectKey : '';
}

/** The projects the account can see, for a message about a wrong JIRA_PROJECT_KEY. */
export function projectsListed(jira: JiraGateway): Promise<string[]> {
  return listed(() => issueApi.listProjects(jira.issueClients()), 'projects');
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
    throw new ConfigError([lines(`JIRA_PROJECT_KEY: project ${projectKeyOf(config)} was not found in Jira, or this account cannot see it; set JIRA_PROJECT_KEY to one of the projects it can see:`, await projectsListed(jira))]);
  }
}

/** JIRA_ISSUE_TYPE among the project's issue types, or a ConfigError naming the ones there are. */
export async function resolveIssueType(jira: JiraGateway, config: IssueConfig): Promise<IssueType> {
  let types: IssueType[];
  try {
    types = await issueApi.listIssueTypes(jira.issueClients());
  } catch (err) {
    const e = asJiraError(err, 'list issue types');
    if (e.kind === 'not-found') await checkProject(jira, config);
    throw describeJiraFailure(e, config);
  }
  const wanted = config.target.kind === 'issue' ? config.target.issueType : '';
  const found = issueApi.findIssueType(types, wanted);
  if (!found || found.subtask) {
    const why = found ? `is a sub-task type (it needs a parent issue)` : `is not an issue type of project ${projectKeyOf(config)} this account can create`;
    throw new ConfigError([lines(`JIRA_ISSUE_TYPE: "${wanted}" ${why}; set JIRA_ISSUE_TYPE to the name or id of one of its issue types:`, issueTypesListed(types.filter((t) => !t.subtask)))]);
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
