import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Project, User } from '../state/types.ts';
import { makeAuthHook } from './auth-hook.ts';
import type { RouteDeps } from './context.ts';
import { caller, isObject, keystoneError } from './context.ts';

/** Values that oslo.utils' `bool_from_string` reads as false; Keystone reads every other value of `enabled` as true. */
const FALSE_STRINGS = new Set(['0', 'f', 'false', 'off', 'n', 'no']);

/** Orders projects by id, as Keystone lists them. */
function byId(left: Project, right: Project): number {
  if (left.id === right.id) return 0;
  return left.id < right.id ? -1 : 1;
}

const forbidden = (action: string) => `You are not authorized to perform the requested action: identity:${action}.`;

/**
 * Returns a predicate for the `name`, `domain_id` and `enabled` filters of a project list. Other
 * query parameters are ignored, as Keystone ignores filters it does not support.
 */
export function projectFilter(query: unknown): (project: Project) => boolean {
  const params = isObject(query) ? query : {};
  const name = params.name;
  const domainId = params.domain_id;
  const enabled = params.enabled;

  // Zed returns an empty list when `name` is given twice, and the simulator does the same for every repeated filter.
  if (Array.isArray(name) || Array.isArray(domainId) || Array.isArray(enabled)) return () => false;
  // Every simulated project is enabled.
  const wantEnabled = typeof enabled === 'string' ? !FALSE_STRINGS.has(enabled.trim().toLowerCase()) : true;
  // The local Zed cloud runs Keystone on MariaDB, whose default collation compares names case-insensitively.
  const wantName = typeof name === 'string' ? name.toLowerCase() : undefined;

  return (project) =>
    wantEnabled &&
    (wantName === undefined || project.name.toLowerCase() === wantName) &&
    (typeof domainId !== 'string' || project.domainId === domainId);
}

/**
 * Registers Keystone v3 project reads: list (admin), show by id (admin, or a token scoped to that
 * project), a user's projects (admin, or the user), and the projects the token's user may scope to.
 */
export function registerProjectRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { store } = deps;
  const authenticate = makeAuthHook(deps);

  const projectBody = (p: Project) => ({
    id: p.id,
    name: p.name,
    domain_id: p.domainId,
    description: '',
    enabled: true,
    parent_id: p.domainId,
    is_domain: false,
    tags: [],
    options: {},
    links: { self: `${deps.baseUrl()}/identity/v3/projects/${p.id}` },
  });
  // The Zed cloud lists projects in id order, and `links.self` repeats the query string as sent.
  const listBody = (request: FastifyRequest, projects: Project[]) => ({
    links: { self: `${deps.baseUrl()}${request.url}`, previous: null, next: null },
    projects: [...projects].sort(byId).map(projectBody),
  });
  const projectsOf = (user: User) =>
    Object.keys(user.roles)
      .map((id) => store.projects.get(id))
      .filter((p): p is Project => p !== undefined);

  // Keystone ignores filters here and lists every project on which the user has a role.
  app.get('/identity/v3/auth/projects', { onRequest: authenticate }, async (request) => listBody(request, projectsOf(caller(request).user)));

  app.get<{ Params: { userId: string } }>('/identity/v3/users/:userId/projects', { onRequest: authenticate }, async (request, reply) => {
    const ctx = caller(request);
    // Policy comes before the lookup, so a member asking about an unknown user gets 403, not 404.
    if (request.params.userId !== ctx.user.id && !ctx.isAdmin) return keystoneError(reply, 403, forbidden('list_user_projects'));
    const user = store.users.get(request.params.userId);
    if (!user) return keystoneError(reply, 404, `Could not find user: ${request.params.userId}.`);
    return listBody(request, projectsOf(user).filter(projectFilter(request.query)));
  });

  app.get('/identity/v3/projects', { onRequest: authenticate }, async (request, reply) => {
    const ctx = caller(request);
    if (!ctx.isAdmin) return keystoneError(reply, 403, forbidden('list_projects'));
    return listBody(request, [...store.projects.values()].filter(projectFilter(request.query)));
  });

  app.get<{ Params: { projectId: string } }>('/identity/v3/projects/:projectId', { onRequest: authenticate }, async (request, reply) => {
    const ctx = caller(request);
    const { projectId } = request.params;
    // A member may read only the project of its token, and gets 403 for any other id, known or not.
    if (projectId !== ctx.project.id && !ctx.isAdmin) return keystoneError(reply, 403, forbidden('get_project'));
    const project = store.projects.get(projectId);
    if (!project) return keystoneError(reply, 404, `Could not find project: ${projectId}.`);
    return { project: projectBody(project) };
  });
}
