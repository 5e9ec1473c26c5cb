import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { PortalConfig } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { PortalError } from '../../errors/portal-error.ts';
import { loadPrincipal } from '../../services/auth/load-principal.ts';
import { login } from '../../services/auth/login.ts';
import { hashPassword, isAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyPassword } from '../../services/auth/passwords.ts';
import type { Principal } from '../../services/auth/principal.ts';
import { deleteSession } from '../../services/auth/session-store.ts';
import { SESSION_COOKIE } from '../plugins/authentication.ts';
import { problemResponses } from '../schemas.ts';

const Identity = Type.Object({
  user: Type.Object({ id: Type.String(), username: Type.String(), displayName: Type.String(), isPlatformOperator: Type.Boolean() }),
  tenant: Type.Union([Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() }), Type.Null()]),
  role: Type.Union([Type.String(), Type.Null()]),
  permissions: Type.Array(Type.String()),
  csrfToken: Type.Union([Type.String(), Type.Null()], { description: 'Send as X-CSRF-Token on POST, PUT, PATCH and DELETE requests made with the session cookie.' }),
});

async function identityOf(db: Db, principal: Principal) {
  const tenant = principal.tenantId
    ? await db.selectFrom('tenants').select(['id', 'code', 'name']).where('id', '=', principal.tenantId).executeTakeFirst()
    : undefined;
  return {
    user: { id: principal.userId, username: principal.username, displayName: principal.displayName, isPlatformOperator: principal.isPlatformOperator },
    tenant: tenant ?? null,
    role: principal.tenantRole,
    permissions: principal.permissions,
    csrfToken: principal.csrfToken,
  };
}

function clearSessionCookie(reply: FastifyReply, config: PortalConfig): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: config.session.cookieSecure });
}

export async function authRoutes(appBase: FastifyInstance, options: { db: Db; config: PortalConfig }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = options;

  app.post(
    '/api/v1/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Log in with username and password; sets the session cookie',
        body: Type.Object(
          { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
          { additionalProperties: false },
        ),
        response: { 200: Identity, ...problemResponses(400, 401, 403, 415, 429) },
      },
    },
    async (request, reply) => {
      const outcome = await login(db, { session: config.session, throttle: config.loginThrottle }, {
        username: request.body.username,
        password: request.body.password,
        clientAddress: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      });

      reply.setCookie(SESSION_COOKIE, outcome.sessionId, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.session.cookieSecure,
        expires: outcome.expiresAt,
      });

      const principal = await loadPrincipal(db, { userId: outcome.userId, tenantId: outcome.tenantId, via: 'session', csrfToken: outcome.csrfToken, sessionIdHash: null });
      if (!principal) throw new PortalError('AUTH_ACCOUNT_DISABLED');
      request.principal = principal;
      request.log.info({ userId: principal.userId, tenantId: principal.tenantId }, 'user logged in');
      return identityOf(db, principal);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags: ['auth'], summary: 'End the current session', response: { 204: Type.Null(), ...problemResponses(401, 403) } } },
    async (request, reply) => {
      const principal = request.principal as Principal;
      if (principal.sessionIdHash) await deleteSession(db, principal.sessionIdHash);
      clearSessionCookie(reply, config);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/me',
    { schema: { tags: ['auth'], summary: 'The signed-in user, tenant, role, permissions and CSRF token', response: { 200: Identity, ...problemResponses(401) } } },
    async (request) => identityOf(db, request.principal as Principal),
  );

  app.post(
    '/api/v1/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change the signed-in user’s password; ends the user’s other sessions',
        body: Type.Object(
          { currentPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Type.String({ minLength: 1, maxLength: 256 }) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const principal = request.principal as Principal;
      // A password is a credential of the person; a script's token must not be able to replace it.
      if (principal.via === 'token') throw new PortalError('SESSION_REQUIRED');
      const user = await db.selectFrom('users').select('password_hash').where('id', '=', principal.userId).executeTakeFirstOrThrow();
      if (!(await verifyPassword(user.password_hash, request.body.currentPassword))) {
        throw new PortalError('AUTH_INVALID_CREDENTIALS');
      }
      if (!isAcceptablePassword(request.body.newPassword)) {
        throw new PortalError('PASSWORD_TOO_WEAK', { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH });
      }

      const passwordHash = await hashPassword(request.body.newPassword);
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('users').set({ password_hash: passwordHash, password_changed_at: new Date(), updated_at: new Date() }).where('id', '=', principal.userId).execute();
        let others = trx.deleteFrom('sessions').where('user_id', '=', principal.userId);
        if (principal.sessionIdHash) others = others.where('id_hash', '!=', principal.sessionIdHash);
        await others.execute();
      });
      return reply.status(204).send(null);
    },
  );
}
