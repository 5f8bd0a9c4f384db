// The one rule for what a Jira error means for a submission (decide.ts), as a table: the step
// the call was made in and the error as the gateway classifies it, in; stop the run, fail the
// submission, or keep it for a look in Jira first (unsure), out. And the reason `status` shows.
import { describe, expect, it } from 'vitest';
import { JiraCallError, type JiraErrorKind } from '../../src/adapters/jira/errors.js';
import { decide, describeFailure, type Step, type Verdict } from '../../src/decide.js';

const err = (kind: JiraErrorKind, status?: number, mayHaveTakenEffect = false) =>
  new JiraCallError({ kind, operation: 'call', jiraMessage: `Jira says ${kind}`, mayHaveTakenEffect, ...(status !== undefined ? { status } : {}) });

// [error, customer, search, create, attach]
const TABLE: [string, JiraCallError, Verdict, Verdict, Verdict, Verdict][] = [
  ['unreachable', err('unreachable'), 'stop', 'stop', 'stop', 'stop'],
  ['rate-limited 429', err('rate-limited', 429), 'stop', 'stop', 'stop', 'stop'],
  ['auth 401', err('auth', 401), 'stop', 'stop', 'stop', 'stop'],
  ['auth 403', err('auth', 403), 'fail', 'fail', 'stop', 'stop'],
  ['transient 502', err('transient', 502), 'stop', 'fail', 'stop', 'stop'],
  ['rejected 400', err('rejected', 400), 'fail', 'fail', 'fail', 'fail'],
  ['not-found 404', err('not-found', 404), 'fail', 'fail', 'fail', 'fail'],
  ['unknown', err('unknown'), 'fail', 'fail', 'stop', 'unsure'],
  ['transient 504, may have taken effect', err('transient', 504, true), 'stop', 'fail', 'unsure', 'stop'],
  ['unknown, may have taken effect', err('unknown', undefined, true), 'fail', 'fail', 'unsure', 'unsure'],
  ['rejected, may have taken effect', err('rejected', 409, true), 'fail', 'fail', 'unsure', 'fail'],
];
const STEPS: Step[] = ['customer', 'search', 'create', 'attach'];

describe('decide', () => {
  it.each(TABLE)('%s', (_name, e, ...verdicts) => {
    expect(STEPS.map((step) => decide(step, e))).toEqual(verdicts);
  });
});

describe('describeFailure', () => {
  it('names the customer, and why an account may not create one', () => {
    expect(describeFailure({ step: 'customer', email: 'ann@example.com' }, err('rejected', 400))).toBe(
      'raiseOnBehalfOf ann@example.com (RAISE_ON_BEHALF_OF_COLUMN): Jira says rejected',
    );
    expect(describeFailure({ step: 'customer', email: 'ann@example.com' }, err('auth', 403))).toBe(
      'raiseOnBehalfOf ann@example.com (RAISE_ON_BEHALF_OF_COLUMN): Jira says auth (the Jira account in the configuration may not create customers: make this person a customer in Jira, or give the account permission)',
    );
    expect(describeFailure({ step: 'customer' }, err('rejected', 400))).toBe('raiseOnBehalfOf  (RAISE_ON_BEHALF_OF_COLUMN): Jira says rejected');
  });

  it("says a failed search blocks creating; gives Jira's words for a create; names the ticket of an attachment", () => {
    const e = err('transient', 500);
    expect(describeFailure({ step: 'search' }, e)).toBe(`searching Jira for the marker failed: ${e.message}; a ticket may already exist, so nothing is created until a search succeeds`);
    expect(describeFailure({ step: 'create' }, err('rejected', 400))).toBe('Jira says rejected');
    expect(describeFailure({ step: 'attach', ticketKey: 'JSM-7' }, err('rejected', 413))).toBe('ticket JSM-7 was created, but Jira refused the attachment: Jira says rejected');
    expect(describeFailure({ step: 'attach' }, err('rejected', 413))).toBe('ticket  was created, but Jira refused the attachment: Jira says rejected');
  });

  it("falls back to the error's own message when Jira gave no words", () => {
    const e = new JiraCallError({ kind: 'rejected', operation: 'create request', jiraMessage: '', mayHaveTakenEffect: false, status: 400 });
    expect(describeFailure({ step: 'create' }, e)).toBe(e.message);
  });
});
