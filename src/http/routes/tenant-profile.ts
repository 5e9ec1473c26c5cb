import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { PortalError } from '../../errors/portal-error.ts';
import { tenantProfile } from '../../services/tenant-profile.ts';
import { callerTenantId } from '../caller.ts';
import { ContactSchema, nullable, ProjectBindingSchema } from '../portal-schemas.ts';
import { problemResponses } from '../schemas.ts';

export async function tenantProfileRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/tenant/profile',
    {
      config: { access: 'tenant:read' },
      schema: {
        tags: ['tenant'],
        summary: 'The caller’s tenant, its OpenStack project binding and its contacts with masked phone and email',
        response: {
          200: Type.Object({
            tenant: Type.Object({ id: Type.String(), code: Type.String(), name: Type.String(), status: Type.String(), description: Type.String() }),
            binding: nullable(ProjectBindingSchema),
            contacts: Type.Array(ContactSchema),
          }),
          ...problemResponses(401, 403, 404),
        },
      },
    },
    async (request) => {
      const tenantId = callerTenantId(request);
      const profile = await tenantProfile(options.db, tenantId);
      if (!profile) throw new PortalError('NOT_FOUND', { resource: 'tenant', id: tenantId });
      return profile;
    },
  );
}
