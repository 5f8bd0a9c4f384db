import { requestTypeName } from './defaults.js';
import { jsmUser, paged } from './dto.js';
import { json, jsmErrorReply, pageParams, type Ctx, type Reply } from './http.js';
import type { Route } from './router.js';
import { jsmError } from './validate.js';

const SD = '/rest/servicedeskapi';

export function deskNotFound(id: string): Reply {
  return jsmErrorReply(404, jsmError(`The service desk with ID ${id} does not exist.`, 'sd.service.desk.not.found', [id]));
}

function requestTypeNotFound(id: string): Reply {
  return jsmErrorReply(
    404,
    jsmError('The request type you are trying to view does not exist.', 'sd.request.type.error.not.found', [id]),
  );
}

function serviceDeskDto(ctx: Ctx) {
  const { state } = ctx;
  return {
    id: state.serviceDeskId,
    projectId: state.projectId,
    projectName: state.projectName,
    projectKey: state.projectKey,
    projectTypeKey: 'service_desk',
    _links: { self: `${ctx.baseUrl}${SD}/servicedesk/${state.serviceDeskId}` },
  };
}

function requestTypeDto(ctx: Ctx, id: string) {
  const { state } = ctx;
  const name = requestTypeName(id);
  return {
    _expands: ['field'],
    id,
    _links: { self: `${ctx.baseUrl}${SD}/servicedesk/${state.serviceDeskId}/requesttype/${id}` },
    name,
    description: name,
    helpText: '',
    issueTypeId: '10004',
    serviceDeskId: state.serviceDeskId,
    portalId: state.serviceDeskId,
    groupIds: ['1'],
    canCreateRequest: true,
    restrictionStatus: 'OPEN',
  };
}

function fieldsDto(ctx: Ctx, id: string) {
  const fields = ctx.state.requestTypes.get(id) ?? [];
  return {
    requestTypeFields: fields.map((f) => ({
      fieldId: f.fieldId,
      name: f.name,
      description: f.description ?? '',
      required: f.required,
      defaultValues: [],
      validValues: (f.validValues ?? []).map((v) => ({ value: v.value, label: v.label, children: v.children ?? [] })),
      presetValues: [],
      jiraSchema: f.jiraSchema,
      visible: f.visible ?? true,
    })),
    canRaiseOnBehalfOf: true,
    canAddRequestParticipants: true,
  };
}

/** Guards every /servicedesk/{id}/… handler with the 404 Jira gives for an unknown desk. */
function onDesk(handler: (ctx: Ctx) => Reply): (ctx: Ctx) => Reply {
  return (ctx) => {
    const id = ctx.params.serviceDeskId ?? '';
    return ctx.state.isDesk(id) ? handler(ctx) : deskNotFound(id);
  };
}

function onRequestType(handler: (ctx: Ctx, requestTypeId: string) => Reply): (ctx: Ctx) => Reply {
  return onDesk((ctx) => {
    const id = ctx.params.requestTypeId ?? '';
    return ctx.state.requestTypes.has(id) ? handler(ctx, id) : requestTypeNotFound(id);
  });
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

function createCustomer(ctx: Ctx): Reply {
  const body = (ctx.json ?? {}) as { email?: unknown; displayName?: unknown };
  const email = typeof body.email === 'string' ? body.email.trim() : '';
  if (!EMAIL.test(email)) {
    return jsmErrorReply(400, jsmError(`The email address '${email}' is not valid.`, 'sd.customer.email.invalid', [email]));
  }
  if (ctx.state.findUser(email)) {
    // Jira answers 400 here unless the caller opts into 409.
    const status = ctx.query.get('strictConflictStatusCode') === 'true' ? 409 : 400;
    return jsmErrorReply(status, jsmError('An account already exists for this email.', 'sd.customer.email.exists', [email]));
  }
  const displayName = typeof body.displayName === 'string' && body.displayName !== '' ? body.displayName : email;
  const customer = ctx.state.addCustomer(email, displayName);
  return json(201, jsmUser({ ...customer, accountType: 'customer' }, ctx.baseUrl));
}

function listDeskCustomers(ctx: Ctx): Reply {
  const { state } = ctx;
  const q = (ctx.query.get('query') ?? '').toLowerCase();
  const matching = state.customers.filter(
    (c) =>
      state.deskCustomers.has(c.accountId) &&
      (c.emailAddress.toLowerCase().includes(q) || c.displayName.toLowerCase().includes(q)),
  );
  const { start, limit } = pageParams(ctx.query);
  const users = matching.map((c) => jsmUser({ ...c, accountType: 'customer' }, ctx.baseUrl));
  return json(200, paged(users, start, limit, ctx.baseUrl, ctx.path));
}

function addDeskCustomers(ctx: Ctx): Reply {
  const body = (ctx.json ?? {}) as { accountIds?: unknown; usernames?: unknown };
  const ids = [body.accountIds, body.usernames].flatMap((v) => (Array.isArray(v) ? v : [])).map(String);
  const unknown: string[] = [];
  for (const id of ids) {
    if (ctx.state.customers.some((c) => c.accountId === id)) ctx.state.deskCustomers.add(id);
    else unknown.push(id);
  }
  // Like Jira: valid customers are added even when the call fails because of the others.
  if (unknown.length > 0) {
    return jsmErrorReply(400, jsmError(`These users do not exist: ${unknown.join(', ')}`, 'sd.customer.add.invalid.users', unknown));
  }
  return { status: 204 };
}

export const deskRoutes: Route[] = [
  {
    method: 'GET',
    pattern: `${SD}/servicedesk`,
    handler: (ctx) => {
      const { start, limit } = pageParams(ctx.query);
      const others = ctx.state.otherServiceDesks.map((d) => ({
        id: d.id,
        projectId: String(20000 + Number(d.id)),
        projectName: d.projectName,
        projectKey: d.projectKey,
        projectTypeKey: 'service_desk',
        _links: { self: `${ctx.baseUrl}${SD}/servicedesk/${d.id}` },
      }));
      return json(200, paged([serviceDeskDto(ctx), ...others], start, limit, ctx.baseUrl, ctx.path));
    },
  },
  { method: 'GET', pattern: `${SD}/servicedesk/:serviceDeskId`, handler: onDesk((ctx) => json(200, serviceDeskDto(ctx))) },
  {
    method: 'GET',
    pattern: `${SD}/servicedesk/:serviceDeskId/requesttype`,
    handler: onDesk((ctx) => {
      const { start, limit } = pageParams(ctx.query);
      const all = [...ctx.state.requestTypes.keys()].map((id) => requestTypeDto(ctx, id));
      return json(200, paged(all, start, limit, ctx.baseUrl, ctx.path));
    }),
  },
  {
    method: 'GET',
    pattern: `${SD}/servicedesk/:serviceDeskId/requesttype/:requestTypeId`,
    handler: onRequestType((ctx, id) => json(200, requestTypeDto(ctx, id))),
  },
  {
    method: 'GET',
    pattern: `${SD}/servicedesk/:serviceDeskId/requesttype/:requestTypeId/field`,
    handler: onRequestType((ctx, id) => json(200, fieldsDto(ctx, id))),
  },
  { method: 'POST', pattern: `${SD}/customer`, handler: createCustomer },
  { method: 'GET', pattern: `${SD}/servicedesk/:serviceDeskId/customer`, handler: onDesk(listDeskCustomers) },
  { method: 'POST', pattern: `${SD}/servicedesk/:serviceDeskId/customer`, handler: onDesk(addDeskCustomers) },
];
