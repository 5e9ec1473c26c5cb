import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { PortalError } from '../../errors/portal-error.ts';
import type { Keyring } from '../../services/crypto/index.ts';
import { addTenantContact, deleteContact, listTenantContacts, updateContact } from '../../services/tenant-contacts.ts';
import { findTenant } from '../../services/tenants.ts';
import { auditActorOf } from '../caller.ts';
import { PageParams, pageOf } from '../pagination.ts';
import { ContactSchema, ContactTypeSchema, Email, nullable, Phone } from '../portal-schemas.ts';
import { problemResponses, Uuid } from '../schemas.ts';

const ContactName = Type.String({ minLength: 1, maxLength: 64 });

// Phone and email are stored encrypted and returned masked; POST /admin/contacts/{id}/reveal is
// the only way to read them back, and it is audited.
export async function adminTenantContactRoutes(appBase: FastifyInstance, options: { db: Db; keyring: Keyring }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { db, keyring } = options;

  app.get(
    '/api/v1/admin/tenants/:id/contacts',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'List a tenant’s contacts with masked phone and email',
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object({ ...PageParams }, { additionalProperties: false }),
        response: { 200: pageOf(ContactSchema), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const tenant = await findTenant(db, request.params.id);
      if (!tenant) throw new PortalError('NOT_FOUND', { resource: 'tenant', id: request.params.id });
      return listTenantContacts(db, tenant.id, request.query);
    },
  );

  app.post(
    '/api/v1/admin/tenants/:id/contacts',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'Add a contact to a tenant; phone and email are stored encrypted and returned masked',
        params: Type.Object({ id: Uuid }),
        body: Type.Object(
          { type: ContactTypeSchema, name: ContactName, phone: Type.Optional(nullable(Phone)), email: Type.Optional(nullable(Email)) },
          { additionalProperties: false },
        ),
        response: { 201: ContactSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const contact = await addTenantContact(db, keyring, auditActorOf(request), request.params.id, request.body);
      if (!contact) throw new PortalError('NOT_FOUND', { resource: 'tenant', id: request.params.id });
      return reply.status(201).send(contact);
    },
  );

  app.patch(
    '/api/v1/admin/contacts/:id',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'Change a contact; null removes a phone or email',
        params: Type.Object({ id: Uuid }),
        body: Type.Object(
          { type: Type.Optional(ContactTypeSchema), name: Type.Optional(ContactName), phone: Type.Optional(nullable(Phone)), email: Type.Optional(nullable(Email)) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ContactSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const contact = await updateContact(db, keyring, auditActorOf(request), request.params.id, request.body);
      if (!contact) throw new PortalError('NOT_FOUND', { resource: 'contact', id: request.params.id });
      return contact;
    },
  );

  app.delete(
    '/api/v1/admin/contacts/:id',
    {
      config: { access: 'platform:admin' },
      schema: { tags: ['admin'], summary: 'Delete a contact', params: Type.Object({ id: Uuid }), response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      if (!(await deleteContact(db, auditActorOf(request), request.params.id))) {
        throw new PortalError('NOT_FOUND', { resource: 'contact', id: request.params.id });
      }
      return reply.status(204).send(null);
    },
  );
}
