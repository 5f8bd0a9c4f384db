// JSM customers for raiseOnBehalfOf: the person who filled in the form becomes the request's
// reporter, so Jira's notifications reach them. The customer is looked up, or created, before
// the request is created, with as few calls as possible and each email settled once per run.
//
// Calls, in order, stopping at the first that settles it:
//   1. GET  /rest/servicedeskapi/servicedesk/{id}/customer?query=<email>   already a customer here (1 call)
//   2. POST /rest/servicedeskapi/customer {email, displayName}              a new customer (then 3.)
//      -> 400/409 "an account already exists": GET /rest/api/{3|2}/user/search (then 3.)
//   3. POST /rest/servicedeskapi/servicedesk/{id}/customer {accountIds}    so a closed desk accepts them
// Creating before searching users saves a call for new people, the common case on a web form.

// Types only: jira.js itself is loaded by the gateway, on its first call.
import type { ServiceDeskClient, Version2Client, Version3Client } from 'jira.js';
import { JiraCallError } from './errors.js';

/** The gateway's jira.js clients. */
export interface JiraClients {
  desk: ServiceDeskClient;
  platform: Version3Client | Version2Client;
  /** true on Jira Cloud (accountIds); false on Data Center (usernames). */
  cloud: boolean;
}

/** What customers.ts needs from the gateway: its desk and its rate-limited, retrying call. */
export interface CustomerClients {
  serviceDeskId: string;
  call<T>(operation: string, fn: (c: JiraClients) => Promise<T>, safeToRepeat?: boolean): Promise<T>;
}

export interface Customer {
  /** What raiseOnBehalfOf takes: the accountId on Cloud, the username on Data Center. */
  id: string;
  email: string;
  /** How this run settled it; for the log. */
  how: 'desk-customer' | 'created' | 'existing-account';
  /** Set when adding them to the desk was refused (see addToDesk); for the log. */
  warning?: string;
}

interface JiraUser {
  accountId?: string;
  name?: string;
  key?: string;
  emailAddress?: string | null;
  displayName?: string;
}

const sameEmail = (a: string | null | undefined, b: string) => typeof a === 'string' && a.trim().toLowerCase() === b.toLowerCase();

/** Cloud users have an accountId; Data Center users have none, and are named by username. */
function idOf(u: JiraUser): string | undefined {
  return u.accountId ?? u.name ?? u.key;
}

async function findDeskCustomer(c: CustomerClients, email: string): Promise<JiraUser | undefined> {
  const page = (await c.call('find service desk customer', ({ desk }) => desk.serviceDesk.getCustomers({ serviceDeskId: c.serviceDeskId, query: email, limit: 50 }))) as {
    values?: JiraUser[];
  };
  // The query also matches names and parts of addresses: only an exact address counts.
  return (page.values ?? []).find((u) => sameEmail(u.emailAddress, email));
}

async function createCustomer(c: CustomerClients, email: string): Promise<JiraUser | 'exists'> {
  try {
    // Safe to repeat: if a first attempt's answer was lost, the repeat says "exists" and
    // the user search below finds the account it made.
    return (await c.call('create customer', ({ desk }) => desk.customer.createCustomer({ email, displayName: email }))) as JiraUser;
  } catch (err) {
    // Jira answers 400 (or 409 when asked for it) when any account already uses the address.
    if (err instanceof JiraCallError && (err.status === 400 || err.status === 409) && /exist/i.test(err.jiraMessage)) return 'exists';
    throw err;
  }
}

async function findAccount(c: CustomerClients, email: string): Promise<JiraUser | undefined> {
  // Cloud searches by `query`; Data Center by `username`, which also matches addresses.
  const users = (await c.call('find user', ({ platform, cloud }) =>
    cloud
      ? (platform as Version3Client).userSearch.findUsers({ query: email, maxResults: 20 })
      : (platform as Version2Client).userSearch.findUsers({ username: email, maxResults: 20 }),
  )) as JiraUser[];
  const exact = users.find((u) => sameEmail(u.emailAddress, email));
  if (exact) return exact;
  // Cloud hides the address of people who chose so; a search by the full address that
  // returns exactly one account with a hidden address is that account.
  const hidden = users.filter((u) => !u.emailAddress);
  return users.length === 1 && hidden.length === 1 ? hidden[0] : undefined;
}

/**
 * Makes the account a customer of the desk, which a desk closed to the public requires.
 * Adding an existing customer is a no-op (204), so repeating is safe. A refusal (the robot
 * is not a desk admin, or the account is an agent) is returned, not thrown: on an open desk
 * the request is accepted anyway, and on a closed one Jira's refusal of the request says why.
 */
async function addToDesk(c: CustomerClients, id: string): Promise<string | undefined> {
  try {
    await c.call('add customer to service desk', ({ desk, cloud }) =>
      desk.serviceDesk.addCustomers(cloud ? { serviceDeskId: c.serviceDeskId, accountIds: [id] } : { serviceDeskId: c.serviceDeskId, usernames: [id] }),
    );
    return undefined;
  } catch (err) {
    if (err instanceof JiraCallError && (err.kind === 'rejected' || err.kind === 'not-found' || (err.kind === 'auth' && err.status === 403))) {
      return `could not add them to service desk ${c.serviceDeskId}: ${err.jiraMessage || err.message}`;
    }
    throw err;
  }
}

/** Settles one address: the customer's id for raiseOnBehalfOf. Throws JiraCallError. */
export async function lookUpOrCreateCustomer(c: CustomerClients, rawEmail: string): Promise<Customer> {
  const email = rawEmail.trim();
  const onDesk = await findDeskCustomer(c, email);
  const deskId = onDesk && idOf(onDesk);
  if (deskId) return { id: deskId, email, how: 'desk-customer' };

  const created = await createCustomer(c, email);
  const user = created === 'exists' ? await findAccount(c, email) : created;
  const id = user && idOf(user);
  if (!id) {
    throw new JiraCallError({
      kind: 'rejected',
      operation: 'find user',
      mayHaveTakenEffect: false,
      jiraMessage: `Jira says an account uses ${email}, but does not show it to this account; make that person a customer of service desk ${c.serviceDeskId} in Jira, or unset RAISE_ON_BEHALF_OF_COLUMN`,
    });
  }
  const warning = await addToDesk(c, id);
  const customer: Customer = { id, email, how: created === 'exists' ? 'existing-account' : 'created' };
  if (warning) customer.warning = warning;
  return customer;
}

/**
 * Per-run cache in front of lookUpOrCreateCustomer. Keyed by the lower-cased address, and by
 * promise, so two submissions from the same person processed concurrently share one lookup.
 * Failures are not cached: the next submission (or run) tries again.
 */
export class CustomerDirectory {
  private readonly known = new Map<string, Promise<Customer>>();

  constructor(private readonly clients: CustomerClients) {}

  resolve(email: string): Promise<Customer> {
    const key = email.trim().toLowerCase();
    let pending = this.known.get(key);
    if (!pending) {
      pending = lookUpOrCreateCustomer(this.clients, email);
      this.known.set(key, pending);
      pending.catch(() => this.known.delete(key));
    }
    return pending;
  }
}
