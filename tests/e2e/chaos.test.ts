// Chaos: many runs of the real CLI over many submissions, with random Jira faults, random
// fail points and random `kill -9` at arbitrary instants; then runs until quiet. Whatever
// happened, every submission must end with exactly one ticket and one attachment.
// The driver is tests/support/chaos.ts; this file is request mode's faults and size.
// CHAOS_SUBMISSIONS / CHAOS_RUNS / CHAOS_SEED change the size and replay a failing seed.
// `npm test` runs a short version (40 submissions, 10 runs); `npm run test:slow` the full one
// (200 submissions, 30 runs).
import { describe, it } from 'vitest';
import type { Fault } from '../support/fakeJira/index.js';
import { chaosSize, runChaos, type ChaosPlan } from '../support/chaos.js';
import { sampleSubmission } from '../support/db.js';

const CREATE = '/rest/servicedeskapi/request';
const ATTACH = /^\/rest\/servicedeskapi\/request\/[^/]+\/attachment$/;
const FAULTS: Fault[] = [
  { match: { method: 'POST', path: CREATE }, kind: 'status', status: 429, headers: { 'Retry-After': '1' } },
  { match: { method: 'POST', path: CREATE }, kind: 'status', status: 503 },
  { match: { method: 'POST', path: CREATE }, kind: 'drop-after-effect' },
  { match: { method: 'POST', path: CREATE }, kind: 'status-after-effect', status: 504 },
  { match: { method: 'POST', path: /attachTemporaryFile$/ }, kind: 'drop' },
  { match: { method: 'POST', path: ATTACH }, kind: 'drop-after-effect' },
  { match: { method: 'POST', path: ATTACH }, kind: 'status-after-effect', status: 502 },
  { match: { method: 'GET', path: /\/attachment$/ }, kind: 'status', status: 502 },
  { match: { method: 'POST', path: /search/ }, kind: 'status', status: 429, headers: { 'Retry-After': '1' } },
  { match: { method: 'GET', path: /^\/rest\/servicedeskapi\/servicedesk\/1$/ }, kind: 'status', status: 503, headers: { 'Retry-After': '1' } },
];

const plan: ChaosPlan = { name: 'chaos', submissions: 40, runs: 10, faults: FAULTS, row: (i) => sampleSubmission(i), firstFailPoint: 'after-claim' };
const size = chaosSize(plan);

describe(`chaos (seed ${size.seed}: ${size.runs} runs over ${size.submissions} submissions)`, () => {
  it('ends with exactly one ticket and one attachment per submission, nothing lost', { timeout: 600_000 }, () => runChaos(plan, size));
});
