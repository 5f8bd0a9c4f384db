// Step 4b (only with RAISE_ON_BEHALF_OF_COLUMN): the person who filled in the form, as a JSM
// customer, so the request is raised on their behalf: they are its reporter and get Jira's
// notifications. Runs after the request is built and before the create claim, so a failure
// here never leaves a submission in `creating`.
import type { Logger } from 'pino';
import type { CustomerDirectory } from '../adapters/jira/customers.js';
import type { JiraCallError } from '../adapters/jira/errors.js';
import { asJiraError } from '../adapters/jira/errors.js';
import type { TicketRequest } from '../mapping/request.js';

export type ResolveCustomerResult =
  /** The request to create: raiseOnBehalfOf now holds the customer's id (unchanged when not set). */
  | { kind: 'resolved'; request: TicketRequest }
  /** Jira refused this customer: fail this submission with Jira's reason; others go on. */
  | { kind: 'rejected'; error: string }
  /** Jira is down or refuses us: stop the run, as for any other call. */
  | { kind: 'fatal'; error: JiraCallError };

export async function resolveCustomer(customers: CustomerDirectory | null, request: TicketRequest, log: Logger): Promise<ResolveCustomerResult> {
  const email = request.raiseOnBehalfOf;
  if (!customers || email === undefined) return { kind: 'resolved', request };
  try {
    const customer = await customers.resolve(email);
    log.debug({ customer: customer.id, how: customer.how }, 'customer resolved');
    if (customer.warning) log.warn({ customer: customer.id }, customer.warning);
    return { kind: 'resolved', request: { ...request, raiseOnBehalfOf: customer.id } };
  } catch (err) {
    const e = asJiraError(err, 'resolve customer');
    // 401, Jira down, rate-limited past the retry budget: the same for every submission.
    if (e.kind === 'unreachable' || e.kind === 'transient' || e.kind === 'rate-limited' || (e.kind === 'auth' && e.status !== 403)) return { kind: 'fatal', error: e };
    // 403 here means the robot may not create customers (a Jira admin permission); that
    // stops only submissions from people who are not customers yet, so only those fail.
    const hint = e.kind === 'auth' ? ' (the Jira account in the configuration may not create customers: make this person a customer in Jira, or give the account permission)' : '';
    return { kind: 'rejected', error: `raiseOnBehalfOf ${email} (RAISE_ON_BEHALF_OF_COLUMN): ${e.jiraMessage || e.message}${hint}` };
  }
}
