// Before a run writes anything, one cheap call proves Jira is reachable and accepts our
// credentials, so "Jira is down" or "token revoked" ends the run with nothing changed.
import { asJiraError } from './adapters/jira/errors.js';
import type { JiraCallError } from './adapters/jira/errors.js';
import type { JiraGateway } from './adapters/jira/gateway.js';
import type { ResolvedConfig } from './config.js';
import { ConfigError, DependencyError } from './errors.js';

export function describeJiraFailure(e: JiraCallError, config: Pick<ResolvedConfig, 'jiraAuth' | 'jiraBaseUrl'>): DependencyError {
  const creds = config.jiraAuth.kind === 'basic' ? 'JIRA_EMAIL and JIRA_API_TOKEN' : 'JIRA_PAT';
  switch (e.kind) {
    case 'auth':
      return e.status === 403
        ? new DependencyError('Jira', `Jira refused access (403 Forbidden): the account in ${creds} lacks permission for this service desk. ${e.jiraMessage}`.trim())
        : new DependencyError('Jira', `Jira rejected the credentials (401 Unauthorized): check ${creds}. ${e.jiraMessage}`.trim());
    case 'unreachable':
      return new DependencyError('Jira', `cannot reach ${config.jiraBaseUrl} (${e.message}); check JIRA_BASE_URL and the network`);
    default:
      return new DependencyError('Jira', `Jira is not answering normally (${e.message}); nothing more was sent, the next run continues`);
  }
}

export async function preflightJira(jira: JiraGateway, config: ResolvedConfig): Promise<void> {
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
