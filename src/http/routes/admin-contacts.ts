import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { PortalError } from '../../errors/portal-error.ts';
import type { Principal } from '../../services/auth/principal.ts';
import { revealContact } from '../../services/contacts.ts';
import type { Keyring } from '../../services/crypto/index.ts';
import { problemResponses, Uuid } from '../schemas.ts';

export async function adminContactRoutes(appBase: FastifyInstance, options: { db: Db; keyring: Keyring }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/v1/admin/contacts/:id/reveal',
    {
      config: { access: 'personal-data:reveal' },
      schema: {
        tags: ['admin'],
        summary: 'Show one contact’s phone and email in plain text; every call is written to the audit log',
        params: Type.Object({ id: Uuid }),
        response: {
          200: Type.Object({ id: Type.String(), name: Type.String(), phone: Type.Union([Type.String(), Type.Null()]), email: Type.Union([Type.String(), Type.Null()]) }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const principal = request.principal as Principal;
      let revealed;
      try {
        revealed = await revealContact(options.db, options.keyring, request.params.id, {
          actorUserId: principal.userId,
          requestId: request.id,
          clientAddress: request.ip,
        });
      } catch (error) {
        // The cause names the key id that the keyring lacks, which the operator needs and the client must not see.
        if (error instanceof PortalError && error.code === 'CONTACT_UNREADABLE') {
          request.log.error({ err: error.cause, contactId: request.params.id }, 'contact could not be decrypted with the configured keys');
        }
        throw error;
      }
      if (!revealed) throw new PortalError('NOT_FOUND', { resource: 'contact', id: request.params.id });

      request.log.info({ contactId: revealed.id, tenantId: revealed.tenantId }, 'contact personal data revealed');
      return { id: revealed.id, name: revealed.name, phone: revealed.phone, email: revealed.email };
    },
  );
}
