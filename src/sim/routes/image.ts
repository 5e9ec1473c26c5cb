import { createHash } from 'node:crypto';
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
    // Glance names the backend that stores the data; the local Zed cloud's file store is "local".
    ...(image.size !== null ? { stores: 'local' } : {}),
  };
}

const coreFields = new Set(['name', 'min_disk', 'min_ram', 'protected', 'os_hidden', 'tags', 'disk_format', 'container_format']);

/** Sets one of `coreFields` from a JSON patch value; returns false when the value has the wrong type. */
function setCoreField(image: Image, key: string, value: unknown): boolean {
  switch (key) {
    case 'name':
    case 'disk_format':
    case 'container_format':
      if (typeof value !== 'string') return false;
      if (key === 'name') image.name = value;
      else if (key === 'disk_format') image.diskFormat = value;
      else image.containerFormat = value;
      return true;
    case 'min_disk':
    case 'min_ram':
      if (!Number.isInteger(value) || (value as number) < 0) return false;
      if (key === 'min_disk') image.minDisk = value as number;
      else image.minRam = value as number;
      return true;
    case 'protected':
    case 'os_hidden':
      if (typeof value !== 'boolean') return false;
      if (key === 'protected') image.protected = value;
      else image.hidden = value;
      return true;
    case 'tags':
      if (!Array.isArray(value)) return false;
      image.tags = value.map(String);
      return true;
    default:
      return false;
  }
}
const readOnlyFields = new Set(['id', 'status', 'owner', 'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value', 'created_at', 'updated_at', 'self', 'file', 'schema']);

/**
 * Applies Glance's JSON patch (`add`, `replace`, `remove` on `/<key>`) to an image. Returns the
 * error to send, or null when every operation applied.
 */
function applyImagePatch(image: Image, operations: unknown[], isAdmin: boolean): { status: number; message: string } | null {
  for (const operation of operations) {
    if (!isObject(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') {
      return { status: 400, message: 'Unable to find `op` and `path` in JSON Schema change.' };
    }
    const key = operation.path.replace(/^\//, '');
    if (readOnlyFields.has(key)) return { status: 403, message: `Attribute '${key}' is read-only.` };
    if (key === 'visibility') {
      const value = operation.value;
      if (value !== 'public' && value !== 'private' && value !== 'shared' && value !== 'community') return { status: 400, message: `Invalid visibility value: ${String(value)}` };
      if (value === 'public' && !isAdmin) return { status: 403, message: 'You are not authorized to complete publicize_image action.' };
      image.visibility = value;
      continue;
    }
    const core = coreFields.has(key);
    if (operation.op === 'remove') {
      if (core) return { status: 403, message: `Attribute '${key}' is required and cannot be removed.` };
      if (!(key in image.properties)) return { status: 409, message: `Property ${key} does not exist.` };
      delete image.properties[key];
    } else if (operation.op === 'add' || operation.op === 'replace') {
      if (core) {
        if (!setCoreField(image, key, operation.value)) return { status: 400, message: `Invalid value for ${key}: ${JSON.stringify(operation.value)}` };
      } else {
        if (typeof operation.value !== 'string') return { status: 400, message: `Custom property ${key} must be a string.` };
        image.properties[key] = operation.value;
      }
    } else {
      return { status: 400, message: `Invalid operation: \`${operation.op}\`: Unable to apply.` };
    }
  }
  return null;
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

    api.put<{ Params: { id: string } }>('/images/:id/file', async (request, reply) => {
      const ctx = caller(request);
      const image = store.images.get(request.params.id);
      if (!image || !canSee(image, ctx)) return glanceError(request, reply, 404, `No image found with ID ${request.params.id}`);
      if (image.owner !== ctx.project.id && !ctx.isAdmin) return glanceError(request, reply, 403, 'You are not permitted to upload data for this image.');
      if (image.status !== 'queued') return glanceError(request, reply, 409, `Image status transition from ${image.status} to saving is not allowed`);
      const data = Buffer.isBuffer(request.body) ? request.body : Buffer.from(typeof request.body === 'string' ? request.body : '');
      image.size = data.length;
      image.virtualSize = data.length;
      image.checksum = createHash('md5').update(data).digest('hex');
      image.osHashAlgo = 'sha512';
      image.osHashValue = createHash('sha512').update(data).digest('hex');
      image.diskFormat ??= 'raw';
      image.containerFormat ??= 'bare';
      image.status = 'active';
      image.updatedAt = store.now();
      store.changed();
      return reply.code(204).send();
    });

    api.patch<{ Params: { id: string } }>('/images/:id', async (request, reply) => {
      const ctx = caller(request);
      const image = store.images.get(request.params.id);
      if (!image || !canSee(image, ctx)) return glanceError(request, reply, 404, `No image found with ID ${request.params.id}`);
      if (image.owner !== ctx.project.id && !ctx.isAdmin) return glanceError(request, reply, 403, 'You are not permitted to modify this image.');
      const operations = request.body;
      if (!Array.isArray(operations)) return glanceError(request, reply, 400, 'Request body must be a JSON array of operation objects.');
      const problem = applyImagePatch(image, operations, ctx.isAdmin);
      if (problem) return glanceError(request, reply, problem.status, problem.message);
      image.updatedAt = store.now();
      store.changed();
      return imageView(image);
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
