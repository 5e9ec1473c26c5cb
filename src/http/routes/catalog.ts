import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { isFlavorAccessible } from '../../domain/flavor-choice.ts';
import { findImageRejection } from '../../domain/image-choice.ts';
import { findNetworkRejections } from '../../domain/network-choice.ts';
import { findOsCatalogueEntry } from '../../domain/os-catalogue.ts';
import type { CatalogService } from '../../services/catalog/catalog.ts';
import type { CloudBinding } from '../../services/cloud/cloud-clients.ts';
import { loadTenantCloud, type VmServiceDeps } from '../../services/vms/context.ts';
import { portalErrorFor } from '../../services/vms/openstack-failure.ts';
import { callerTenantId } from '../caller.ts';
import type { RateLimitHandlers } from '../plugins/rate-limit.ts';
import { problemResponses } from '../schemas.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const FlavorSchema = Type.Object({ id: Type.String(), name: Type.String(), vcpus: Type.Integer(), ramMiB: Type.Integer(), diskGiB: Type.Integer({ description: '0: the VM boots from a volume.' }) });

const ImageSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  osDistro: nullable(Type.String()),
  osVersion: nullable(Type.String()),
  osLabel: Type.Object({ 'zh-CN': Type.String(), 'en-US': Type.String() }, { description: 'Display name of the operating system.' }),
  minDiskGiB: Type.Integer(),
  minRamMiB: Type.Integer(),
  sizeBytes: nullable(Type.Integer()),
  createdAt: Type.String(),
});

const NetworkSchema = Type.Object({ id: Type.String(), name: Type.String(), shared: Type.Boolean(), ownedByProject: Type.Boolean() });

/** Runs a catalog read; OpenStack failures become OPENSTACK_UNAVAILABLE or QUOTA_EXCEEDED. */
async function readCatalog<T>(deps: Pick<VmServiceDeps, 'database'>, request: FastifyRequest, read: (binding: CloudBinding) => Promise<T>): Promise<T> {
  const tenant = await loadTenantCloud(deps, callerTenantId(request));
  try {
    return await read(tenant.binding);
  } catch (error) {
    throw portalErrorFor(error);
  }
}

/** Flavors, images and networks a tenant may choose from when creating a VM. */
export async function catalogRoutes(appBase: FastifyInstance, options: { deps: Pick<VmServiceDeps, 'database'>; catalog: CatalogService; limits: RateLimitHandlers }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { deps, catalog, limits } = options;
  const routeOptions = (summary: string, item: TSchema) => ({
    config: { access: 'tenant:read' as const },
    preHandler: limits.reads,
    schema: { tags: ['catalog'], summary, response: { 200: Type.Object({ items: Type.Array(item) }), ...problemResponses(401, 403, 409, 429, 503) } },
  });

  app.get('/api/v1/catalog/flavors', routeOptions('List the flavors the tenant’s project can use, smallest first', FlavorSchema), async (request) => {
    const flavors = await readCatalog(deps, request, (binding) => catalog.flavors(binding));
    const usable = flavors.filter(isFlavorAccessible).sort((a, b) => a.vcpus - b.vcpus || a.ramMiB - b.ramMiB || a.diskGiB - b.diskGiB || a.name.localeCompare(b.name));
    return { items: usable.map(({ id, name, vcpus, ramMiB, diskGiB }) => ({ id, name, vcpus, ramMiB, diskGiB })) };
  });

  app.get('/api/v1/catalog/images', routeOptions('List the active, visible images with their operating system', ImageSchema), async (request) => {
    const images = await readCatalog(deps, request, (binding) => catalog.images(binding));
    const usable = images.filter((image) => findImageRejection(image) === null).sort((a, b) => a.name.localeCompare(b.name));
    return {
      items: usable.map((image) => {
        const entry = image.osDistro ? findOsCatalogueEntry(image.osDistro) : undefined;
        const fallback = [image.osDistro ?? image.name, image.osVersion].filter(Boolean).join(' ');
        const version = image.osVersion ? ` ${image.osVersion}` : '';
        return {
          id: image.id,
          name: image.name,
          osDistro: image.osDistro ?? null,
          osVersion: image.osVersion ?? null,
          osLabel: entry ? { 'zh-CN': `${entry.labels['zh-CN']}${version}`, 'en-US': `${entry.labels['en-US']}${version}` } : { 'zh-CN': fallback, 'en-US': fallback },
          minDiskGiB: image.minDiskGiB,
          minRamMiB: image.minRamMiB,
          sizeBytes: image.sizeBytes ?? null,
          createdAt: image.createdAt,
        };
      }),
    };
  });

  app.get('/api/v1/catalog/networks', routeOptions('List the networks a new VM can attach to', NetworkSchema), async (request) => {
    const tenant = await loadTenantCloud(deps, callerTenantId(request));
    const networks = await readCatalog(deps, request, (binding) => catalog.networks(binding));
    const projectId = tenant.binding.projectId;
    const usable = networks.filter((network) => findNetworkRejections(network, projectId).length === 0).sort((a, b) => a.name.localeCompare(b.name));
    return { items: usable.map((network) => ({ id: network.id, name: network.name, shared: network.shared, ownedByProject: network.projectId === projectId })) };
  });
}
