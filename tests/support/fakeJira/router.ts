import type { Ctx, Reply } from './http.js';

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  /** Path with `:name` placeholders, each matching one segment. */
  pattern: string;
  handler: Handler;
}

interface CompiledRoute extends Route {
  regex: RegExp;
}

export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: Route[]) {
    this.routes = routes.map((r) => ({
      ...r,
      regex: new RegExp(`^${r.pattern.replace(/:(\w+)/g, '(?<$1>[^/]+)')}/?$`),
    }));
  }

  /** `methodNotAllowed` lets the server answer 405 like Jira instead of a misleading 404. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 'methodNotAllowed' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v);
      return { handler: route.handler, params };
    }
    return pathMatched ? 'methodNotAllowed' : undefined;
  }
}
