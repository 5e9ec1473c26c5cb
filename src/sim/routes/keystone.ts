import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isoMicrosZ } from '../clock.ts';
import type { Project, Token, User } from '../state/types.ts';
import { makeAuthHook } from './auth-hook.ts';
import type { RouteDeps } from './context.ts';
import { registerProjectRoutes } from './keystone-projects.ts';
import { caller, isObject, keystoneError, MALFORMED, queryString } from './context.ts';

const UNAUTHORIZED = 'The request you have made requires authentication.';

/** Service catalog entries: type, name and the path under the simulator's base URL. */
const catalogServices: { type: string; name: string; path: (projectId: string) => string }[] = [
  { type: 'identity', name: 'keystone', path: () => '/identity/v3/' },
  { type: 'compute', name: 'nova', path: () => '/compute/v2.1' },
  { type: 'image', name: 'glance', path: () => '/image' },
  { type: 'network', name: 'neutron', path: () => '/network' },
  { type: 'block-storage', name: 'cinder', path: (p) => `/volume/v3/${p}` },
  { type: 'volumev3', name: 'cinderv3', path: (p) => `/volume/v3/${p}` },
];

/** Keystone v3: token issue (password, application_credential, token), validation, revocation, project reads. */
export function registerKeystone(app: FastifyInstance, deps: RouteDeps): void {
  const { store } = deps;
  const catalogIds = catalogServices.map(() => ({
    service: store.newKeystoneId(),
    endpoints: [store.newKeystoneId(), store.newKeystoneId(), store.newKeystoneId()],
  }));
  const authenticate = makeAuthHook(deps);

  const versionBody = () => ({
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${deps.baseUrl()}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  });
  app.get('/identity', async (_req, reply) => reply.code(300).send({ versions: { values: [versionBody()] } }));
  app.get('/identity/v3', async () => ({ version: versionBody() }));

  function catalog(projectId: string) {
    return catalogServices.map((service, index) => {
      const ids = catalogIds[index] as { service: string; endpoints: string[] };
      const url = deps.baseUrl() + service.path(projectId);
      return {
        endpoints: ['public', 'internal', 'admin'].map((iface, i) => ({
          id: ids.endpoints[i],
          interface: iface,
          region_id: store.config.region,
          url,
          region: store.config.region,
        })),
        id: ids.service,
        type: service.type,
        name: service.name,
      };
    });
  }

  function tokenBody(token: Token, withCatalog: boolean) {
    const user = store.users.get(token.userId) as User;
    const userDomain = store.domains.get(user.domainId);
    const body: Record<string, unknown> = {
      methods: token.methods,
      user: { domain: { id: userDomain?.id, name: userDomain?.name }, id: user.id, name: user.name, password_expires_at: null },
      audit_ids: [token.auditId],
      expires_at: isoMicrosZ(token.expiresAt),
      issued_at: isoMicrosZ(token.issuedAt),
    };
    if (token.projectId) {
      const project = store.projects.get(token.projectId) as Project;
      const projectDomain = store.domains.get(project.domainId);
      body.project = { domain: { id: projectDomain?.id, name: projectDomain?.name }, id: project.id, name: project.name };
      body.is_domain = false;
      body.roles = token.roles.map((name) => ({ id: roleId(name), name }));
      if (withCatalog) body.catalog = catalog(project.id);
    }
    if (token.applicationCredentialId) {
      const credential = store.appCredentials.get(token.applicationCredentialId);
      body.application_credential = { id: credential?.id, name: credential?.name, restricted: true };
    }
    return { token: body };
  }

  function roleId(name: string): string {
    for (const role of store.roles.values()) if (role.name === name) return role.id;
    return name;
  }

  /** Role names a user holds on a project, with implied roles (admin implies member implies reader). */
  function effectiveRoles(user: User, projectId: string): string[] {
    const direct = user.roles[projectId] ?? [];
    const out = new Set<string>();
    for (const role of direct) {
      out.add(role);
      if (role === 'admin') out.add('member');
      if (role === 'admin' || role === 'member') out.add('reader');
    }
    return [...out];
  }

  function findUser(spec: unknown): User | undefined {
    if (!isObject(spec)) return undefined;
    if (typeof spec.id === 'string') return store.users.get(spec.id);
    if (typeof spec.name !== 'string') return undefined;
    const domain = findDomainId(spec.domain);
    return domain ? store.userByName(spec.name, domain) : undefined;
  }

  function findDomainId(spec: unknown): string | undefined {
    if (!isObject(spec)) return undefined;
    if (typeof spec.id === 'string') return store.domains.has(spec.id) ? spec.id : undefined;
    if (typeof spec.name === 'string') return store.domainByName(spec.name)?.id;
    return undefined;
  }

  app.post('/identity/v3/auth/tokens', async (request, reply) => {
    const body = request.body;
    if (body === MALFORMED || !isObject(body) || !isObject(body.auth) || !isObject(body.auth.identity)) {
      return keystoneError(reply, 400, "Invalid input for field 'identity': 'identity' is a required property");
    }
    const identity = body.auth.identity;
    const methods = Array.isArray(identity.methods) ? identity.methods.filter((m): m is string => typeof m === 'string') : [];
    const now = store.now();
    let user: User | undefined;
    let projectId: string | null = null;
    let applicationCredentialId: string | null = null;
    let roles: string[] | null = null;
    let expiresAt = now + store.config.tokenLifetimeMs;

    if (methods.includes('password')) {
      const password = isObject(identity.password) ? identity.password : undefined;
      user = findUser(password?.user);
      if (!user || !isObject(password?.user) || password.user.password !== user.password) {
        return keystoneError(reply, 401, UNAUTHORIZED);
      }
    } else if (methods.includes('application_credential')) {
      const spec = isObject(identity.application_credential) ? identity.application_credential : {};
      let credential = typeof spec.id === 'string' ? store.appCredentials.get(spec.id) : undefined;
      if (!credential && typeof spec.name === 'string') {
        const owner = findUser(spec.user);
        credential = [...store.appCredentials.values()].find((c) => c.name === spec.name && c.userId === owner?.id);
      }
      if (!credential || credential.secret !== spec.secret || (credential.expiresAt !== null && credential.expiresAt <= now)) {
        return keystoneError(reply, 401, UNAUTHORIZED);
      }
      user = store.users.get(credential.userId);
      projectId = credential.projectId;
      roles = credential.roles;
      applicationCredentialId = credential.id;
      if (credential.expiresAt !== null) expiresAt = Math.min(expiresAt, credential.expiresAt);
    } else if (methods.includes('token')) {
      const spec = isObject(identity.token) ? identity.token : {};
      const original = store.validToken(typeof spec.id === 'string' ? spec.id : undefined);
      if (!original) return keystoneError(reply, 401, UNAUTHORIZED);
      user = store.users.get(original.userId);
      projectId = original.projectId;
      // A token made from a token keeps the original expiry.
      expiresAt = original.expiresAt;
    } else {
      return keystoneError(reply, 401, UNAUTHORIZED);
    }
    if (!user) return keystoneError(reply, 401, UNAUTHORIZED);

    const scope = isObject(body.auth.scope) ? body.auth.scope : undefined;
    if (scope && applicationCredentialId) {
      return keystoneError(reply, 401, UNAUTHORIZED);
    }
    if (scope && isObject(scope.project)) {
      const spec = scope.project;
      let project: Project | undefined;
      if (typeof spec.id === 'string') project = store.projects.get(spec.id);
      else if (typeof spec.name === 'string') {
        const domainId = findDomainId(spec.domain);
        project = domainId ? store.projectByName(spec.name, domainId) : undefined;
      }
      if (!project) return keystoneError(reply, 401, UNAUTHORIZED);
      projectId = project.id;
    } else if (scope) {
      return keystoneError(reply, 400, 'The simulator supports project scope only; domain and system scope are not implemented.');
    } else if (!projectId && user.defaultProjectId) {
      projectId = user.defaultProjectId;
    }
    if (projectId && !roles) {
      roles = effectiveRoles(user, projectId);
      if (roles.length === 0) return keystoneError(reply, 401, UNAUTHORIZED);
    }

    const token = store.issueToken({
      userId: user.id,
      projectId,
      roles: roles ?? [],
      methods: methods.filter((m) => m === 'password' || m === 'token' || m === 'application_credential'),
      issuedAt: now,
      expiresAt,
      applicationCredentialId,
    });
    const withCatalog = queryString(request.query, 'nocatalog') === undefined;
    return reply.code(201).header('X-Subject-Token', token.id).header('Vary', 'X-Auth-Token').send(tokenBody(token, withCatalog));
  });

  // Fastify serves HEAD from the GET route, without the body.
  const validate = async (request: FastifyRequest, reply: FastifyReply) => {
    const subject = request.headers['x-subject-token'];
    const id = Array.isArray(subject) ? subject[0] : subject;
    const token = store.validToken(id);
    if (!token) return keystoneError(reply, 404, `Could not find token: ${id ?? ''}.`);
    reply.header('X-Subject-Token', token.id);
    return reply.send(tokenBody(token, queryString(request.query, 'nocatalog') === undefined));
  };
  app.get('/identity/v3/auth/tokens', { onRequest: authenticate }, validate);
  app.delete('/identity/v3/auth/tokens', { onRequest: authenticate }, async (request, reply) => {
    const subject = request.headers['x-subject-token'];
    const id = Array.isArray(subject) ? subject[0] : subject;
    const token = store.validToken(id);
    if (!token) return keystoneError(reply, 404, `Could not find token: ${id ?? ''}.`);
    token.revoked = true;
    store.changed();
    return reply.code(204).send();
  });

  registerProjectRoutes(app, deps);

  app.post<{ Params: { userId: string } }>('/identity/v3/users/:userId/application_credentials', { onRequest: authenticate }, async (request, reply) => {
    const ctx = caller(request);
    if (request.params.userId !== ctx.user.id) return keystoneError(reply, 403, 'You are not authorized to perform the requested action: identity:create_application_credential.');
    const body = request.body;
    const spec = isObject(body) && isObject(body.application_credential) ? body.application_credential : undefined;
    if (!spec || typeof spec.name !== 'string') return keystoneError(reply, 400, "Invalid input for field 'name': 'name' is a required property");
    const secret = typeof spec.secret === 'string' ? spec.secret : store.tokenIds.chars(64);
    const expiresAt = typeof spec.expires_at === 'string' ? Date.parse(spec.expires_at) : null;
    const credential = {
      id: store.newKeystoneId(),
      name: spec.name,
      secret,
      userId: ctx.user.id,
      projectId: ctx.project.id,
      roles: ctx.roles,
      expiresAt: expiresAt !== null && Number.isFinite(expiresAt) ? expiresAt : null,
    };
    store.appCredentials.set(credential.id, credential);
    store.changed();
    return reply.code(201).send({
      application_credential: {
        id: credential.id,
        name: credential.name,
        secret,
        description: typeof spec.description === 'string' ? spec.description : null,
        user_id: credential.userId,
        project_id: credential.projectId,
        roles: credential.roles.map((name) => ({ id: roleId(name), name, domain_id: null })),
        expires_at: credential.expiresAt === null ? null : isoMicrosZ(credential.expiresAt).replace(/Z$/, ''),
        unrestricted: false,
        access_rules: [],
        links: { self: `${deps.baseUrl()}/identity/v3/application_credentials/${credential.id}` },
      },
    });
  });
}
