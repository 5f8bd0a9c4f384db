/**
 * Runs the fake Jira as its own process for the demo and the benchmark:
 *
 *   FAKE_JIRA_LATENCY_MS=40 npx tsx tests/support/fakeJira/standalone.ts
 *
 * Prints one JSON line {"url": "..."} on stdout once listening, so a parent
 * process can read the port; everything else goes to stderr.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { startFakeJira } from './server.js';
import type { FakeJira, FakeJiraOptions } from './types.js';

function num(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got '${raw}'`);
  return n;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): FakeJiraOptions {
  let auth: FakeJiraOptions['auth'] = null;
  if (env.FAKE_JIRA_EMAIL || env.FAKE_JIRA_TOKEN) {
    if (!env.FAKE_JIRA_EMAIL || !env.FAKE_JIRA_TOKEN) throw new Error('Set both FAKE_JIRA_EMAIL and FAKE_JIRA_TOKEN, or neither');
    auth = { email: env.FAKE_JIRA_EMAIL, apiToken: env.FAKE_JIRA_TOKEN };
  } else if (env.FAKE_JIRA_PAT) {
    auth = { pat: env.FAKE_JIRA_PAT };
  }
  const rate = num(env, 'FAKE_JIRA_RATE_LIMIT');
  return {
    port: num(env, 'FAKE_JIRA_PORT') ?? 0,
    latencyMs: num(env, 'FAKE_JIRA_LATENCY_MS') ?? 0,
    rateLimitPerSecond: rate === 0 ? undefined : rate,
    searchLagMs: num(env, 'FAKE_JIRA_SEARCH_LAG_MS') ?? 0,
    accountTimeZone: env.FAKE_JIRA_ACCOUNT_TIME_ZONE || undefined,
    serviceDeskId: env.FAKE_JIRA_SERVICE_DESK_ID || undefined,
    projectKey: env.FAKE_JIRA_PROJECT_KEY || undefined,
    auth,
  };
}

export async function startFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<FakeJira> {
  return startFakeJira(optionsFromEnv(env));
}

async function main(): Promise<void> {
  const fake = await startFromEnv();
  process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
  const stop = () => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`fake Jira failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
