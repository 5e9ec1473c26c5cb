import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isoMicrosNoZone } from '../clock.ts';
import type { Volume } from '../state/types.ts';
import { makeAuthHook } from './auth-hook.ts';
import type { CallerContext, RouteDeps } from './context.ts';
import { caller, cinderError, isObject, MALFORMED, queryString } from './context.ts';

/** Registers a small part of Cinder v3: volumes (create, show, list, delete), quota sets and limits. */
export function registerVolume(app: FastifyInstance, deps: RouteDeps): void {
  const { store } = deps;
  const authenticate = makeAuthHook(deps);
  const base = () => deps.baseUrl();

  const versions = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.code(300).send({
      versions: [
        {
          id: 'v3.0',
          status: 'CURRENT',
          version: '3.70',
          min_version: '3.0',
          updated: '2022-08-31T00:00:00Z',
          links: [
            { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
            { rel: 'self', href: `${base()}/volume/v3/` },
          ],
          'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
        },
      ],
    });
  app.get('/volume', versions);

  const visible = (v: Volume, ctx: CallerContext) => !v.deleted && (ctx.isAdmin || v.projectId === ctx.project.id);

  /** Volume as Cinder 3.0 prints it. The create response lacks the tenant attribute and has no update time yet. */
  function volumeView(v: Volume, projectId: string, ctx: CallerContext, justCreated = false) {
    const view: Record<string, unknown> = {
      id: v.id,
      status: v.status,
      size: v.size,
      availability_zone: 'nova',
      created_at: isoMicrosNoZone(v.createdAt),
      updated_at: justCreated ? null : isoMicrosNoZone(v.updatedAt),
      name: v.name,
      description: v.description,
      volume_type: v.volumeType,
      snapshot_id: null,
      source_volid: null,
      metadata: {},
      links: [
        { rel: 'self', href: `${base()}/volume/v3/${projectId}/volumes/${v.id}` },
        { rel: 'bookmark', href: `${base()}/volume/${projectId}/volumes/${v.id}` },
      ],
      user_id: v.userId,
      bootable: v.bootable ? 'true' : 'false',
      encrypted: false,
      replication_status: null,
      consistencygroup_id: null,
      multiattach: false,
      attachments: v.attachments.map((a) => ({
        id: v.id,
        attachment_id: a.attachmentId,
        volume_id: v.id,
        server_id: a.serverId,
        host_name: null,
        device: a.device,
        attached_at: isoMicrosNoZone(a.attachedAt),
      })),
    };
    if (!justCreated) view['os-vol-tenant-attr:tenant_id'] = v.projectId;
    if (v.imageId) view.volume_image_metadata = { image_id: v.imageId };
    if (ctx.isAdmin) {
      view['os-vol-host-attr:host'] = 'sim-volume@fake#fake';
      view.migration_status = null;
    }
    return view;
  }

  app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      // Only the base microversion 3.0 is modelled; Cinder echoes the version it used.
      reply.header('OpenStack-API-Version', 'volume 3.0');
      reply.header('Vary', 'OpenStack-API-Version');
      await authenticate(request, reply);
      return reply.sent ? reply : undefined;
    });
    type P = { Params: { project: string; id: string } };

    const list = (detail: boolean) => async (request: FastifyRequest<{ Params: { project: string } }>) => {
      const ctx = caller(request);
      const allTenants = ctx.isAdmin && queryString(request.query, 'all_tenants') !== undefined;
      const volumes = [...store.volumes.values()]
        .filter((v) => visible(v, ctx) && (allTenants || v.projectId === ctx.project.id))
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
      return {
        volumes: volumes.map((v) =>
          detail
            ? volumeView(v, request.params.project, ctx)
            : { id: v.id, links: volumeView(v, request.params.project, ctx).links, name: v.name },
        ),
      };
    };
    api.get('/:project/volumes', list(false));
    api.get('/:project/volumes/detail', list(true));

    api.get<P>('/:project/volumes/:id', async (request, reply) => {
      const ctx = caller(request);
      const volume = store.volumes.get(request.params.id);
      if (!volume || !visible(volume, ctx)) return cinderError(reply, 404, `Volume ${request.params.id} could not be found.`);
      return { volume: volumeView(volume, request.params.project, ctx) };
    });

    api.post<{ Params: { project: string } }>('/:project/volumes', async (request, reply) => {
      const ctx = caller(request);
      const body = request.body;
      if (body === MALFORMED) return cinderError(reply, 400, 'Malformed request body');
      const spec = isObject(body) && isObject(body.volume) ? body.volume : undefined;
      const size = spec ? Number(spec.size) : NaN;
      if (!spec || !Number.isInteger(size) || size < 1) {
        return cinderError(reply, 400, `Invalid input for field/attribute size. Value: ${String(spec?.size)}.`);
      }
      const imageId = typeof spec.imageRef === 'string' ? spec.imageRef : null;
      if (imageId && !store.images.has(imageId)) return cinderError(reply, 400, `Invalid image identifier or unable to access requested image.`);
      const quota = store.quotaFor(ctx.project.id);
      const own = [...store.volumes.values()].filter((v) => v.projectId === ctx.project.id && !v.deleted);
      if (own.length + 1 > quota.volumes) {
        return reply.code(413).send({ overLimit: { code: 413, message: `VolumeLimitExceeded: Maximum number of volumes allowed (${quota.volumes}) exceeded for quota 'volumes'.`, retryAfter: '0' } });
      }
      const volume = store.createVolume({
        id: store.ids.uuid(),
        name: typeof spec.name === 'string' ? spec.name : null,
        projectId: ctx.project.id,
        userId: ctx.user.id,
        size,
        volumeType: typeof spec.volume_type === 'string' ? spec.volume_type : 'fake',
        bootable: imageId !== null,
        imageId,
        description: typeof spec.description === 'string' ? spec.description : null,
      });
      return reply.code(202).send({ volume: volumeView(volume, request.params.project, ctx, true) });
    });

    api.delete<P>('/:project/volumes/:id', async (request, reply) => {
      const ctx = caller(request);
      const volume = store.volumes.get(request.params.id);
      if (!volume || !visible(volume, ctx)) return cinderError(reply, 404, `Volume ${request.params.id} could not be found.`);
      if (volume.status !== 'available' && volume.status !== 'error') {
        return cinderError(
          reply,
          400,
          'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
        );
      }
      store.deleteVolume(volume);
      return reply.code(202).send();
    });

    api.get<{ Params: { project: string; target: string } }>('/:project/os-quota-sets/:target', async (request, reply) => {
      const ctx = caller(request);
      if (!ctx.isAdmin && request.params.target !== ctx.project.id) return cinderError(reply, 403, 'Policy does not allow volume_extension:quotas:show to be performed.');
      const quota = store.quotaFor(request.params.target);
      const own = [...store.volumes.values()].filter((v) => v.projectId === request.params.target && !v.deleted);
      const usage = queryString(request.query, 'usage') === 'True' || queryString(request.query, 'usage') === 'true';
      const item = (limit: number, inUse = 0) => (usage ? { limit, in_use: inUse, reserved: 0, allocated: 0 } : limit);
      return {
        quota_set: {
          id: request.params.target,
          volumes: item(quota.volumes, own.length),
          gigabytes: item(quota.gigabytes, own.reduce((sum, v) => sum + v.size, 0)),
          snapshots: item(10),
          backups: item(10),
          backup_gigabytes: item(1000),
          per_volume_gigabytes: item(-1),
          groups: item(10),
          volumes_fake: item(-1),
          gigabytes_fake: item(-1),
          snapshots_fake: item(-1),
        },
      };
    });

    api.get<{ Params: { project: string } }>('/:project/limits', async (request) => {
      const ctx = caller(request);
      const quota = store.quotaFor(ctx.project.id);
      const own = [...store.volumes.values()].filter((v) => v.projectId === ctx.project.id && !v.deleted);
      return {
        limits: {
          rate: [],
          absolute: {
            totalSnapshotsUsed: 0,
            maxTotalBackups: 10,
            maxTotalVolumeGigabytes: quota.gigabytes,
            maxTotalSnapshots: 10,
            maxTotalBackupGigabytes: 1000,
            totalBackupGigabytesUsed: 0,
            maxTotalVolumes: quota.volumes,
            totalVolumesUsed: own.length,
            totalBackupsUsed: 0,
            totalGigabytesUsed: own.reduce((sum, v) => sum + v.size, 0),
          },
        },
      };
    });
  }, { prefix: '/volume/v3' });
}
