import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isoSeconds } from '../clock.ts';
import type { Image } from '../state/types.ts';
import { makeAuthHook } from './auth-hook.ts';
import type { CallerContext, RouteDeps } from './context.ts';
import { caller, glanceError, isObject, MALFORMED, queryString } from './context.ts';

const UNAUTHORIZED_PAGE_TEXT =
  'This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.';
const DEFAULT_PAGE = 25;
const MAX_PAGE = 1000;

/** Image as Glance v2 prints it: custom properties are top-level keys, links are relative. */
export function imageView(image: Image): Record<string, unknown> {
  return {
    ...image.properties,
    name: image.name,
    disk_format: image.diskFormat,
    container_format: image.containerFormat,
    visibility: image.visibility,
    size: image.size,
    virtual_size: image.virtualSize,
    status: image.status,
    checksum: image.checksum,
    protected: image.protected,
    min_ram: image.minRam,
    min_disk: image.minDisk,
    owner: image.owner,
    os_hidden: image.hidden,
    os_hash_algo: image.osHashAlgo,
    os_hash_value: image.osHashValue,
    id: image.id,
    created_at: isoSeconds(image.createdAt),
    updated_at: isoSeconds(image.updatedAt),
    tags: [...image.tags],
    self: `/v2/images/${image.id}`,
    file: `/v2/images/${image.id}/file`,
    schema: '/v2/schemas/image',
  };
}

/** Returns whether the caller may see the image at all (Glance's default visibility rules). */
function canSee(image: Image, ctx: CallerContext): boolean {
  if (ctx.isAdmin) return true;
  if (image.visibility === 'public' || image.visibility === 'community') return true;
  return image.owner === ctx.project.id;
}

/** Glance v2 images: list with filters and paging, show, and the 404 shapes Glance uses. */
export function registerImage(app: FastifyInstance, deps: RouteDeps): void {
  const { store } = deps;
  // Glance rejects a bad token itself with webob's page (or its JSON form), not keystonemiddleware's envelope.
  const authenticate = makeAuthHook(deps, (request, reply, authUrl) => {
    reply.header('WWW-Authenticate', `Keystone uri="${authUrl}"`);
    return glanceError(request, reply, 401, UNAUTHORIZED_PAGE_TEXT);
  });

  const versions = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.code(300).send({
      versions: ['2.15', '2.13', '2.12', '2.11', '2.10', '2.9', '2.8', '2.7', '2.6', '2.5', '2.4', '2.3', '2.2', '2.1', '2.0'].map((v, i) => ({
        id: `v${v}`,
        status: i === 0 ? 'CURRENT' : 'SUPPORTED',
        links: [{ rel: 'self', href: `${deps.baseUrl()}/image/v2/` }],
      })),
    });
  app.get('/image', versions);

  app.register(async (api) => {
    api.addHook('onRequest', authenticate);

    api.get('/images', async (request, reply) => {
      const ctx = caller(request);
      const q = request.query;
      const limitText = queryString(q, 'limit');
      let limit = DEFAULT_PAGE;
      if (limitText !== undefined) {
        limit = Number(limitText);
        if (!Number.isInteger(limit) || limit < 0) return glanceError(request, reply, 400, 'limit param must be positive');
        limit = Math.min(limit, MAX_PAGE);
      }
      const visibility = queryString(q, 'visibility');
      if (visibility !== undefined && !['public', 'private', 'shared', 'community', 'all'].includes(visibility)) {
        return glanceError(request, reply, 400, `Invalid visibility value: ${visibility}`);
      }
      const name = queryString(q, 'name');
      const status = queryString(q, 'status');
      const owner = queryString(q, 'owner');
      const hiddenText = queryString(q, 'os_hidden');
      const showHidden = hiddenText === 'true' || hiddenText === 'True';

      let images = [...store.images.values()]
        .filter((image) => canSee(image, ctx))
        .filter((image) => {
          if (visibility === undefined) {
            // Community images are listed only when asked for; other projects' shared images are not modelled.
            if (image.visibility === 'community' && image.owner !== ctx.project.id) return false;
          } else if (visibility !== 'all' && image.visibility !== visibility) return false;
          if (image.hidden !== showHidden) return false;
          if (name !== undefined && image.name !== name) return false;
          if (status !== undefined && image.status !== status) return false;
          if (owner !== undefined && image.owner !== owner) return false;
          return true;
        })
        .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));

      const marker = queryString(q, 'marker');
      if (marker !== undefined) {
        const at = images.findIndex((image) => image.id === marker);
        if (at < 0) return glanceError(request, reply, 400, `No image found with ID ${marker}`);
        images = images.slice(at + 1);
      }
      const page = images.slice(0, limit);
      const params = new URLSearchParams(request.url.split('?')[1] ?? '');
      params.delete('marker');
      const first = params.toString();
      const body: Record<string, unknown> = {
        images: page.map(imageView),
        first: first ? `/v2/images?${first}` : '/v2/images',
        schema: '/v2/schemas/images',
      };
      const last = page[page.length - 1];
      if (last && page.length === limit) {
        params.set('marker', last.id);
        body.next = `/v2/images?${params.toString()}`;
      }
      return body;
    });

    api.get<{ Params: { id: string } }>('/images/:id', async (request, reply) => {
      const image = store.images.get(request.params.id);
      if (!image || !canSee(image, caller(request))) return glanceError(request, reply, 404, `No image found with ID ${request.params.id}`);
      return imageView(image);
    });

    api.post('/images', async (request, reply) => {
      const ctx = caller(request);
      const body = request.body;
      if (body === MALFORMED || !isObject(body)) return glanceError(request, reply, 400, 'Malformed JSON in request body.');
      const now = store.now();
      const known = new Set(['name', 'visibility', 'disk_format', 'container_format', 'min_disk', 'min_ram', 'protected', 'tags', 'os_hidden', 'id']);
      const properties: Record<string, string> = {};
      for (const [key, value] of Object.entries(body)) if (!known.has(key) && typeof value === 'string') properties[key] = value;
      const visibility = typeof body.visibility === 'string' ? body.visibility : 'shared';
      if (!['public', 'private', 'shared', 'community'].includes(visibility)) return glanceError(request, reply, 400, `Invalid visibility value: ${visibility}`);
      if (visibility === 'public' && !ctx.isAdmin) return glanceError(request, reply, 403, 'You are not authorized to complete publicize_image action.');
      const image: Image = {
        id: typeof body.id === 'string' ? body.id : store.ids.uuid(),
        name: typeof body.name === 'string' ? body.name : '',
        status: 'queued',
        visibility: visibility as Image['visibility'],
        owner: ctx.project.id,
        size: null,
        virtualSize: null,
        diskFormat: typeof body.disk_format === 'string' ? body.disk_format : null,
        containerFormat: typeof body.container_format === 'string' ? body.container_format : null,
        minDisk: typeof body.min_disk === 'number' ? body.min_disk : 0,
        minRam: typeof body.min_ram === 'number' ? body.min_ram : 0,
        protected: body.protected === true,
        hidden: body.os_hidden === true,
        checksum: null,
        osHashAlgo: null,
        osHashValue: null,
        tags: Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [],
        properties,
        createdAt: now,
        updatedAt: now,
      };
      store.images.set(image.id, image);
      store.changed();
      reply.header('Location', `${deps.baseUrl()}/image/v2/images/${image.id}`);
      return reply.code(201).send(imageView(image));
    });

    api.delete<{ Params: { id: string } }>('/images/:id', async (request, reply) => {
      const ctx = caller(request);
      const image = store.images.get(request.params.id);
      if (!image || !canSee(image, ctx)) return glanceError(request, reply, 404, `Failed to find image ${request.params.id} to delete`);
      if (image.owner !== ctx.project.id && !ctx.isAdmin) return glanceError(request, reply, 403, 'You are not permitted to delete this image.');
      if (image.protected) return glanceError(request, reply, 403, `Image ${image.id} is protected and cannot be deleted.`);
      store.images.delete(image.id);
      store.changed();
      return reply.code(204).send();
    });
  }, { prefix: '/image/v2' });
}
