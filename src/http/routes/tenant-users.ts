import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { PortalError } from '../../errors/portal-error.ts';
import { createAccount, listUsers, updateAccount, USER_SORT_FIELDS } from '../../services/user-admin.ts';
import { auditActorOf, callerTenantId } from '../caller.ts';
import { PageParams, pageOf, sortParam } from '../pagination.ts';
import { DisplayName, Password, TenantRoleSchema, UserSchema, Username, UserStatusSchema } from '../portal-schemas.ts';
import { problemResponses, Uuid } from '../schemas.ts';

// Tenant admins manage the users of their own tenant. Platform operators and members of other
// tenants are outside every query here, so a request with their id gets 404 Not Found.
export async function tenantUserRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;

  app.get(
    '/api/v1/tenant/users',
    {
      config: { access: 'tenant:users' },
      schema: {
        tags: ['tenant'],
        summary: 'List the users of the caller’s tenant',
        querystring: Type.Object(
          { ...PageParams, status: Type.Optional(UserStatusSchema), q: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), sort: sortParam(USER_SORT_FIELDS, 'username') },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(UserSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, page_size, ...filter } = request.query;
      return listUsers(db, callerTenantId(request), filter, { page, page_size });
    },
  );

  app.post(
    '/api/v1/tenant/users',
    {
      config: { access: 'tenant:users' },
      schema: {
        tags: ['tenant'],
        summary: 'Create a user in the caller’s tenant with a role',
        body: Type.Object({ username: Username, displayName: DisplayName, password: Password, role: TenantRoleSchema }, { additionalProperties: false }),
        response: { 201: UserSchema, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const tenantId = callerTenantId(request);
      const user = await createAccount(db, auditActorOf(request), { ...request.body, tenantId, isPlatformOperator: false });
      request.log.info({ userId: user.id, tenantId }, 'tenant user created');
      return reply.status(201).send(user);
    },
  );

  app.patch(
    '/api/v1/tenant/users/:id',
    {
      config: { access: 'tenant:users' },
      schema: {
        tags: ['tenant'],
        summary: 'Change the role, status or display name of a user of the caller’s tenant; disabling ends the user’s sessions',
        params: Type.Object({ id: Uuid }),
        body: Type.Object(
          { role: Type.Optional(TenantRoleSchema), status: Type.Optional(UserStatusSchema), displayName: Type.Optional(DisplayName) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: UserSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const tenantId = callerTenantId(request);
      const user = await updateAccount(db, auditActorOf(request), request.params.id, request.body, tenantId);
      if (!user) throw new PortalError('NOT_FOUND', { resource: 'user', id: request.params.id });
      return user;
    },
  );
}
