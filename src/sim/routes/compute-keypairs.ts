import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { isoMicrosNoZone } from '../clock.ts';
import type { RouteDeps } from './context.ts';
import { caller, isObject, novaError } from './context.ts';

interface Keypair {
  name: string;
  userId: string;
  publicKey: string;
  fingerprint: string;
  type: string;
  createdAt: number;
}

/** Fingerprint as Nova shows it: MD5 of the decoded key, as colon-separated hex pairs. */
function fingerprintOf(publicKey: string): string {
  const data = publicKey.trim().split(/\s+/)[1] ?? publicKey;
  const digest = createHash('md5').update(Buffer.from(data, 'base64')).digest('hex');
  return digest.match(/../g)?.join(':') ?? digest;
}

/**
 * Nova key pairs (import only: the simulator does not generate private keys). Kept in memory
 * and not written to snapshots.
 */
export function registerKeypairRoutes(api: FastifyInstance, deps: RouteDeps): void {
  const keypairs = new Map<string, Keypair>();
  const keyOf = (userId: string, name: string) => `${userId}/${name}`;
  const view = (k: Keypair) => ({ name: k.name, public_key: k.publicKey, fingerprint: k.fingerprint, type: k.type });

  api.get('/os-keypairs', async (request) => {
    const ctx = caller(request);
    return { keypairs: [...keypairs.values()].filter((k) => k.userId === ctx.user.id).map((k) => ({ keypair: view(k) })) };
  });

  api.post('/os-keypairs', async (request, reply) => {
    const ctx = caller(request);
    const body = request.body;
    const spec = isObject(body) && isObject(body.keypair) ? body.keypair : undefined;
    if (!spec || typeof spec.name !== 'string' || !/^[a-zA-Z0-9 _.@-]{1,255}$/.test(spec.name)) {
      return novaError(reply, 400, "Invalid input for field/attribute keypair. 'name' is a required property of letters, digits, spaces, '_', '.', '@' and '-'");
    }
    if (typeof spec.public_key !== 'string') {
      return novaError(reply, 400, 'The simulator only imports key pairs: pass public_key (it does not generate private keys).');
    }
    if (keypairs.has(keyOf(ctx.user.id, spec.name))) return novaError(reply, 409, `Key pair '${spec.name}' already exists.`);
    const keypair: Keypair = {
      name: spec.name,
      userId: ctx.user.id,
      publicKey: spec.public_key,
      fingerprint: fingerprintOf(spec.public_key),
      type: typeof spec.type === 'string' ? spec.type : 'ssh',
      createdAt: deps.store.now(),
    };
    keypairs.set(keyOf(ctx.user.id, keypair.name), keypair);
    return { keypair: { ...view(keypair), user_id: keypair.userId } };
  });

  api.get<{ Params: { name: string } }>('/os-keypairs/:name', async (request, reply) => {
    const ctx = caller(request);
    const keypair = keypairs.get(keyOf(ctx.user.id, request.params.name));
    if (!keypair) return novaError(reply, 404, `Keypair ${request.params.name} not found for user ${ctx.user.id}`);
    return { keypair: { ...view(keypair), user_id: keypair.userId, created_at: isoMicrosNoZone(keypair.createdAt), deleted: false, deleted_at: null, updated_at: null, id: 1 } };
  });

  api.delete<{ Params: { name: string } }>('/os-keypairs/:name', async (request, reply) => {
    const ctx = caller(request);
    if (!keypairs.delete(keyOf(ctx.user.id, request.params.name))) {
      return novaError(reply, 404, `Keypair ${request.params.name} not found for user ${ctx.user.id}`);
    }
    return reply.code(202).send();
  });
}
