/**
 * The projects (GET /rest/api/{2|3}/project, /project/search, /project/{projectIdOrKey}), so that a
 * wrong project key can be answered with the ones that exist, and the create metadata of the plain
 * project: GET /rest/api/{2|3}/issue/createmeta/{project}/issuetypes[/{id}].
 * Both are paged by startAt/maxResults (default 50, at most 200). Cloud (and Cloud's v2) answers
 * `issueTypes` / `fields` with a total; Data Center (PAT, v2) answers `values` with `isLast`, as its
 * REST API does since the unpaged createmeta was removed in Jira 9.
 */
import { json, platformError, type Ctx, type Reply } from './http.js';
import { DEFAULT_PRIORITY_ID, PRIORITIES } from './issueDefaults.js';
import type { Route } from './router.js';
import type { FakeIssueType, FakeScreenField } from './types.js';

const MAX_RESULTS_LIMIT = 200;

export const apiVersionOf = (ctx: Ctx): '2' | '3' => (ctx.path.includes('/api/2/') ? '2' : '3');

/** Jira's wording for an unknown project key (GET /project answers it too); the OpenAPI lists no 404 here. */
export function projectNotFound(idOrKey: string): Reply {
  return platformError(404, [`No project could be found with key '${idOrKey}'.`]);
}

/** The wording is modelled on Jira's; callers should rely on the status and shape. */
export function issueTypeNotFound(issueTypeId: string, projectKey: string): Reply {
  return platformError(400, [`The issue type with id '${issueTypeId}' does not exist or is not valid for project '${projectKey}'.`]);
}

function pageOf(ctx: Ctx): { startAt: number; maxResults: number } | Reply {
  const int = (name: string, fallback: number) => {
    const raw = ctx.query.get(name);
    return raw === null || raw === '' ? fallback : Number(raw);
  };
  const startAt = int('startAt', 0);
  const maxResults = int('maxResults', 50);
  if (!Number.isInteger(startAt) || !Number.isInteger(maxResults)) {
    return platformError(400, ['startAt and maxResults must be integers.']);
  }
  if (maxResults > MAX_RESULTS_LIMIT) return platformError(400, [`Parameter 'maxResults' must not exceed the limit '${MAX_RESULTS_LIMIT}'`]);
  return { startAt: Math.max(0, startAt), maxResults: Math.max(0, maxResults) };
}

function issueTypeDto(ctx: Ctx, t: FakeIssueType) {
  const base = `${ctx.baseUrl}/rest/api/${apiVersionOf(ctx)}`;
  return {
    self: `${base}/issuetype/${t.id}`,
    id: t.id,
    description: t.description ?? '',
    iconUrl: `${ctx.baseUrl}/rest/api/2/universal_avatar/view/type/issuetype/avatar/${t.id}?size=medium`,
    name: t.name,
    subtask: t.subtask ?? false,
    avatarId: Number(t.id),
    hierarchyLevel: t.subtask ? -1 : 0,
  };
}

function allowedValues(ctx: Ctx, f: FakeScreenField): unknown[] | undefined {
  const { state } = ctx;
  const base = `${ctx.baseUrl}/rest/api/${apiVersionOf(ctx)}`;
  switch (f.schema.system) {
    case 'project': {
      const p = state.issueProject;
      return [{ self: `${base}/project/${p.id}`, id: p.id, key: p.key, name: p.name, projectTypeKey: 'software', simplified: false }];
    }
    case 'issuetype':
      return [...state.issueTypes.values()].map((t) => issueTypeDto(ctx, t));
    case 'priority':
      return f.allowedValues?.map((v) => ({ self: `${base}/priority/${v.id}`, iconUrl: `${ctx.baseUrl}/images/icons/priorities/${v.id}.svg`, name: v.name, id: v.id }));
    default:
      return f.allowedValues?.map((v) => ({ self: `${base}/customFieldOption/${v.id}`, value: v.value, id: v.id }));
  }
}

function operationsOf(f: FakeScreenField): string[] {
  if (f.schema.system === 'issuetype') return [];
  return f.schema.type === 'array' ? ['add', 'set', 'remove'] : ['set'];
}

function fieldDto(ctx: Ctx, f: FakeScreenField) {
  const dto: Record<string, unknown> = {
    required: f.required,
    schema: f.schema,
    name: f.name,
    key: f.fieldId,
    fieldId: f.fieldId,
    hasDefaultValue: f.hasDefaultValue ?? false,
    operations: operationsOf(f),
  };
  if (f.schema.type === 'user') dto.autoCompleteUrl = `${ctx.baseUrl}/rest/api/${apiVersionOf(ctx)}/user/search?query=`;
  const values = allowedValues(ctx, f);
  if (values) dto.allowedValues = values;
  if (f.schema.system === 'priority') {
    const p = PRIORITIES.find((x) => x.id === DEFAULT_PRIORITY_ID)!;
    dto.defaultValue = { self: `${ctx.baseUrl}/rest/api/${apiVersionOf(ctx)}/priority/${p.id}`, name: p.name, id: p.id };
  }
  return dto;
}

/** Cloud: `{startAt, maxResults, total, [listName]}`; Data Center v2: `{startAt, maxResults, total, isLast, values}`. */
function page(ctx: Ctx, all: unknown[], listName: 'issueTypes' | 'fields'): Reply {
  const p = pageOf(ctx);
  if ('status' in p) return p;
  const slice = all.slice(p.startAt, p.startAt + p.maxResults);
  const head = { maxResults: p.maxResults, startAt: p.startAt, total: all.length };
  if (ctx.state.isDataCenter && apiVersionOf(ctx) === '2') {
    return json(200, { ...head, isLast: p.startAt + slice.length >= all.length, values: slice });
  }
  return json(200, { ...head, [listName]: slice });
}

function listIssueTypes(ctx: Ctx): Reply {
  const idOrKey = ctx.params.projectIdOrKey ?? '';
  if (!ctx.state.findIssueProject(idOrKey)) return projectNotFound(idOrKey);
  return page(ctx, [...ctx.state.issueTypes.values()].map((t) => issueTypeDto(ctx, t)), 'issueTypes');
}

function listFields(ctx: Ctx): Reply {
  const idOrKey = ctx.params.projectIdOrKey ?? '';
  const project = ctx.state.findIssueProject(idOrKey);
  if (!project) return projectNotFound(idOrKey);
  const issueTypeId = ctx.params.issueTypeId ?? '';
  const type = ctx.state.issueTypes.get(issueTypeId);
  if (!type) return issueTypeNotFound(issueTypeId, project.key);
  return page(ctx, type.fields.map((f) => fieldDto(ctx, f)), 'fields');
}

function projectBean(ctx: Ctx, p: { id: string; key: string; name: string }, serviceDesk: boolean) {
  const avatar = `${ctx.baseUrl}/secure/projectavatar?pid=${p.id}`;
  return {
    expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
    self: `${ctx.baseUrl}/rest/api/${apiVersionOf(ctx)}/project/${p.id}`,
    id: p.id,
    key: p.key,
    name: p.name,
    avatarUrls: { '48x48': avatar, '24x24': `${avatar}&size=small`, '16x16': `${avatar}&size=xsmall`, '32x32': `${avatar}&size=medium` },
    projectTypeKey: serviceDesk ? 'service_desk' : 'software',
    simplified: false,
    style: 'classic',
    isPrivate: false,
  };
}

/** The service desk's project and the plain one, in that order. */
function allProjects(ctx: Ctx) {
  const { state } = ctx;
  return [
    projectBean(ctx, { id: state.projectId, key: state.projectKey, name: state.projectName }, true),
    projectBean(ctx, state.issueProject, false),
  ];
}

function getProject(ctx: Ctx): Reply {
  const idOrKey = ctx.params.projectIdOrKey ?? '';
  const bean = allProjects(ctx).find((p) => p.id === idOrKey || p.key === idOrKey.toUpperCase());
  if (!bean) return projectNotFound(idOrKey);
  // Only the plain project's issue types are modelled; the desk's request types live in the JSM API.
  const issueTypes = bean.projectTypeKey === 'software' ? [...ctx.state.issueTypes.values()].map((t) => issueTypeDto(ctx, t)) : [];
  return json(200, { ...bean, description: '', issueTypes });
}

function searchProjects(ctx: Ctx): Reply {
  const p = pageOf(ctx);
  if ('status' in p) return p;
  const q = (ctx.query.get('query') ?? '').toLowerCase();
  const matching = allProjects(ctx).filter((x) => x.key.toLowerCase().includes(q) || x.name.toLowerCase().includes(q));
  const values = matching.slice(p.startAt, p.startAt + p.maxResults);
  const isLast = p.startAt + values.length >= matching.length;
  const at = (startAt: number) => `${ctx.baseUrl}${ctx.path}?startAt=${startAt}&maxResults=${p.maxResults}`;
  const body: Record<string, unknown> = { self: at(p.startAt), maxResults: p.maxResults, startAt: p.startAt, total: matching.length, isLast, values };
  if (!isLast) body.nextPage = at(p.startAt + p.maxResults);
  return json(200, body);
}

export const projectRoutes: Route[] = (['2', '3'] as const).flatMap((v): Route[] => [
  { method: 'GET', pattern: `/rest/api/${v}/project`, handler: (ctx) => json(200, allProjects(ctx)) },
  { method: 'GET', pattern: `/rest/api/${v}/project/search`, handler: searchProjects },
  { method: 'GET', pattern: `/rest/api/${v}/project/:projectIdOrKey`, handler: getProject },
  { method: 'GET', pattern: `/rest/api/${v}/issue/createmeta/:projectIdOrKey/issuetypes`, handler: listIssueTypes },
  { method: 'GET', pattern: `/rest/api/${v}/issue/createmeta/:projectIdOrKey/issuetypes/:issueTypeId`, handler: listFields },
]);
