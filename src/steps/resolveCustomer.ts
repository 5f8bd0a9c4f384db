// Step 4b (only with RAISE_ON_BEHALF_OF_COLUMN): the person who filled in the form, as a JSM
// customer, so the request is raised on their behalf: they are its reporter and get Jira's
// notifications. Runs after the request is built and before the create claim, so a failure
// here never leaves a submission in `creating`. A failed call throws its JiraCallError;
// decide.ts says what that means for the submission.
import type { Logger } from 'pino';
import type { CustomerDirectory } from '../adapters/jira/customers.js';
import { jiraCall } from '../adapters/jira/errors.js';
import type { TicketRequest } from '../mapping/request.js';

/** The request to create: raiseOnBehalfOf now holds the customer's id (unchanged when not set). */
export async function resolveCustomer(customers: CustomerDirectory | null, request: TicketRequest, log: Logger): Promise<TicketRequest> {
  const email = request.raiseOnBehalfOf;
  if (!customers || email === undefined) return request;
  const customer = await jiraCall('resolve customer', () => customers.resolve(email));
  log.debug({ customer: customer.id, how: customer.how }, 'customer resolved');
  if (customer.warning) log.warn({ customer: customer.id }, customer.warning);
  return { ...request, raiseOnBehalfOf: customer.id };
}
