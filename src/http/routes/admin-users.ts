import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { PortalError } from '../../errors/portal-error.ts';
import { createAccount, findUser, listUsers, resetAccountPassword, updateAccount, USER_SORT_FIELDS } from '../../services/user-admin.ts';
import { auditActorOf } from '../caller.ts';
import { PageParams, pageOf, sortParam } from '../pagination.ts';
import { DisplayName, nullable, Password, TenantRoleSchema, UserSchema, Username, UserStatusSchema } from '../portal-schemas.ts';
import { problemResponses, Uuid } from '../schemas.ts';

export async function adminUserRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;

  app.get(
    '/api/v1/admin/users',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'List users; tenant_id keeps members of one tenant',
        querystring: Type.Object(
          {
            ...PageParams,
            tenant_id: Type.Optional(Uuid),
            status: Type.Optional(UserStatusSchema),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Case-insensitive text searched in username and display name.' })),
            sort: sortParam(USER_SORT_FIELDS, 'username'),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(UserSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, page_size, tenant_id, ...filter } = request.query;
      return listUsers(db, null, { ...filter, tenantId: tenant_id }, { page, page_size });
    },
  );

  app.get(
    '/api/v1/admin/users/:id',
    {
      config: { access: 'platform:admin' },
      schema: { tags: ['admin'], summary: 'One user with their tenant and role', params: Type.Object({ id: Uuid }), response: { 200: UserSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => {
      const user = await findUser(db, request.params.id, null);
      if (!user) throw new PortalError('NOT_FOUND', { resource: 'user', id: request.params.id });
      return user;
    },
  );

  app.post(
    '/api/v1/admin/users',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'Create a user, optionally a platform operator or a member of one tenant (role defaults to viewer)',
        body: Type.Object(
          {
            username: Username,
            displayName: Type.Optional(DisplayName),
            password: Password,
            isPlatformOperator: Type.Optional(Type.Boolean()),
            tenantId: Type.Optional(Uuid),
            role: Type.Optional(TenantRoleSchema),
          },
          { additionalProperties: false },
        ),
        response: { 201: UserSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const user = await createAccount(db, auditActorOf(request), request.body);
      request.log.info({ userId: user.id, tenantId: user.tenant?.id ?? null }, 'user created');
      return reply.status(201).send(user);
    },
  );

  app.patch(
    '/api/v1/admin/users/:id',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary:
          'Change a user’s display name, status, tenant or role; tenantId replaces the membership (null removes it); disabling or moving the user ends their sessions',
        params: Type.Object({ id: Uuid }),
        body: Type.Object(
          {
            displayName: Type.Optional(DisplayName),
            status: Type.Optional(UserStatusSchema),
            tenantId: Type.Optional(nullable(Uuid)),
            role: Type.Optional(TenantRoleSchema),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: UserSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const user = await updateAccount(db, auditActorOf(request), request.params.id, request.body, null);
      if (!user) throw new PortalError('NOT_FOUND', { resource: 'user', id: request.params.id });
      return user;
    },
  );

  app.post(
    '/api/v1/admin/users/:id/reset-password',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'Set a new password for a user and end all of their sessions',
        params: Type.Object({ id: Uuid }),
        body: Type.Object({ password: Password }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await resetAccountPassword(db, auditActorOf(request), request.params.id, request.body.password);
      if (!user) throw new PortalError('NOT_FOUND', { resource: 'user', id: request.params.id });
      request.log.info({ userId: user.id }, 'user password reset');
      return reply.status(204).send(null);
    },
  );
}
