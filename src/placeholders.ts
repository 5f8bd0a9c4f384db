// The placeholder values .env.example ships with. `cp .env.example .env` and forgetting a line
// is the commonest first mistake; these values parse fine, so only comparing them with the
// placeholders can say "you have not filled this in yet" instead of "host not found". config.ts
// refuses them for every command that connects: the placeholder Jira site is someone else's
// real site, and a real token must never go there. Here, beside config.ts, so config and
// doctor both use it. tests/unit/placeholders.test.ts keeps this list in step with .env.example.

export const ENV_EXAMPLE_PLACEHOLDERS: Readonly<Record<string, string>> = {
  DATABASE_URL: 'postgres://jira_sync:CHANGE_ME@db.example.internal:5432/webforms',
  JIRA_BASE_URL: 'https://your-company.atlassian.net',
  JIRA_EMAIL: 'jira-robot@example.com',
  JIRA_API_TOKEN: 'CHANGE_ME',
};

/** Variables whose value is (or still contains) a placeholder from .env.example. */
export function placeholdersIn(env: Record<string, string | undefined>): string[] {
  return Object.entries(ENV_EXAMPLE_PLACEHOLDERS)
    .filter(([name, placeholder]) => {
      const value = env[name]?.trim();
      return value !== undefined && value !== '' && (value === placeholder || value.includes('CHANGE_ME'));
    })
    .map(([name]) => name);
}
