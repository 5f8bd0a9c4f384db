// Before a run writes anything, one cheap call proves Jira is reachable and accepts our
// credentials, so "Jira is down" or "token revoked" ends the run with nothing changed.
import { asJiraError } from './adapters/jira/errors.js';
import type { JiraCallError } from './adapters/jira/errors.js';
import type { JiraGateway } from './adapters/jira/gateway.js';
import { getProject } from './adapters/jira/issueApi.js';
import type { ResolvedConfig } from './config.js';
import { ConfigError, DependencyError } from './errors.js';

export function describeJiraFailure(e: JiraCallError, config: Pick<ResolvedConfig, 'jiraAuth' | 'jiraBaseUrl'> & { target?: ResolvedConfig['target'] }): DependencyError {
  const creds = config.jiraAuth.kind === 'basic' ? 'JIRA_EMAIL and JIRA_API_TOKEN' : 'JIRA_PAT';
  switch (e.kind) {
    case 'auth':
      return e.status === 403
        ? new DependencyError('Jira', `Jira refused access (403 Forbidden): the account in ${creds} lacks permission for this ${config.target?.kind === 'issue' ? 'project' : 'service desk'}. ${e.jiraMessage}`.trim())
        : new DependencyError('Jira', `Jira rejected the credentials (401 Unauthorized): check ${creds}. ${e.jiraMessage}`.trim());
    case 'unreachable':
      return new DependencyError('Jira', `cannot reach ${config.jiraBaseUrl} (${e.message}); check JIRA_BASE_URL and the network`);
    default:
      return new DependencyError('Jira', `Jira is not answering normally (${e.message}); nothing more was sent, the next run continues`);
  }
}

export async function preflightJira(jira: JiraGateway, config: ResolvedConfig): Promise<void> {
  if (config.target.kind === 'issue') {
    const key = config.target.projectKey;
    try {
      await getProject(jira.issueClients());
    } catch (err) {
      const e = asJiraError(err, 'get project');
      if (e.kind === 'not-found') throw new ConfigError([`project ${key} was not found in Jira (JIRA_PROJECT_KEY), or this account cannot see it; \`jira-sync doctor\` lists the projects it can see`]);
      throw describeJiraFailure(e, config);
    }
    return;
  }
  try {
    await jira.getServiceDesk();
  } catch (err) {
    const e = asJiraError(err, 'get service desk');
    if (e.kind === 'not-found') {
      throw new ConfigError([`service desk ${config.serviceDeskId} was not found in Jira (JSM_SERVICE_DESK_ID), or this account cannot see it`]);
    }
    throw describeJiraFailure(e, config);
  }
}
