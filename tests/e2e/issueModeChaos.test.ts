// Chaos in issue mode, as chaos.test.ts does it for requests: many runs of the real CLI against a
// plain project, with random faults on the issue API, random fail points and random `kill -9`,
// then runs until quiet. Every submission must end with exactly one issue and one attachment.
// The driver is tests/support/chaos.ts; this file is issue mode's faults and size.
// In `npm test` a short version (24 submissions, 6 runs); `npm run test:slow` runs 200 over 30.
// CHAOS_SUBMISSIONS / CHAOS_RUNS / CHAOS_SEED change the size and replay a failing seed.
import { describe, it } from 'vitest';
import type { Fault } from '../support/fakeJira/index.js';
import { chaosSize, runChaos, type ChaosPlan } from '../support/chaos.js';
import { ISSUE_MODE, issueRow } from '../support/issueMode.js';

const CREATE = '/rest/api/3/issue';
const ATTACH = /^\/rest\/api\/3\/issue\/ITS-\d+\/attachments$/;
const FAULTS: Fault[] = [
  { match: { method: 'POST', path: CREATE }, kind: 'status', status: 429, headers: { 'Retry-After': '1' } },
  { match: { method: 'POST', path: CREATE }, kind: 'status', status: 503 },
  { match: { method: 'POST', path: CREATE }, kind: 'drop-after-effect' },
  { match: { method: 'POST', path: CREATE }, kind: 'status-after-effect', status: 504 },
  { match: { method: 'POST', path: ATTACH }, kind: 'drop' },
  { match: { method: 'POST', path: ATTACH }, kind: 'drop-after-effect' },
  { match: { method: 'POST', path: ATTACH }, kind: 'status-after-effect', status: 502 },
  { match: { method: 'GET', path: /^\/rest\/api\/3\/issue\/ITS-\d+$/ }, kind: 'status', status: 502 },
  { match: { method: 'POST', path: /search/ }, kind: 'status', status: 429, headers: { 'Retry-After': '1' } },
  { match: { method: 'GET', path: '/rest/api/3/project/ITS' }, kind: 'status', status: 503, headers: { 'Retry-After': '1' } },
];

const plan: ChaosPlan = {
  name: 'issue-mode chaos', submissions: 24, runs: 6, faults: FAULTS, row: (i) => issueRow(i), firstFailPoint: 'after-create-sent', env: ISSUE_MODE,
};
const size = chaosSize(plan);

describe(`issue-mode chaos (seed ${size.seed}: ${size.runs} runs over ${size.submissions} submissions)`, () => {
  it('ends with exactly one issue and one attachment per submission, nothing lost', { timeout: 600_000 }, () => runChaos(plan, size));
});
