import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { ORPHAN_KINDS } from '../../domain/orphan-servers.ts';
import { listOrphans } from '../../services/sync/orphan-list.ts';
import { PageParams, pageOf } from '../pagination.ts';
import { nullable } from '../portal-schemas.ts';
import { problemResponses } from '../schemas.ts';

const DateTime = Type.String({ format: 'date-time' });
const OrphanKindSchema = Type.Enum([...ORPHAN_KINDS], {
  description: 'unknown: the server has no portal metadata, or its portal_vm_id names a VM record of another project, one with another server, or one deleted with this server; no_record: portal_vm_id names no VM record (perhaps another portal install); failed_create: the server of a create the portal recorded as failed, deleted after the grace period.',
});

const OrphanSchema = Type.Object(
  {
    id: Type.String(),
    cloud: Type.String(),
    region: nullable(Type.String()),
    projectId: Type.String(),
    serverId: Type.String(),
    serverName: nullable(Type.String()),
    novaStatus: nullable(Type.String({ description: 'Nova status when the server was last listed.' })),
    portalVmId: nullable(Type.String({ description: 'The server’s portal_vm_id metadata as Nova returned it.' })),
    kind: OrphanKindSchema,
    firstSeenAt: DateTime,
    lastSeenAt: DateTime,
    resolvedAt: nullable(DateTime),
    resolution: nullable(Type.Enum(['linked', 'deleted', 'gone'], { description: 'linked to its VM record, deleted by the sweep, or no longer listed by Nova.' })),
  },
  { additionalProperties: false },
);

export async function adminOrphanRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/admin/orphans',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'List Nova servers in bound projects that no VM record owns, as the orphan-sweep job found them; open ones only unless include=resolved',
        querystring: Type.Object(
          {
            ...PageParams,
            include: Type.Optional(Type.Enum(['resolved'], { description: 'resolved: also list rows the sweep resolved (linked, deleted, gone).' })),
            kind: Type.Optional(Type.Enum([...ORPHAN_KINDS])),
            project_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(OrphanSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, page_size, include, kind, project_id } = request.query;
      return listOrphans(options.db, { includeResolved: include === 'resolved', ...(kind ? { kind } : {}), ...(project_id ? { projectId: project_id } : {}) }, { page, page_size });
    },
  );
}
