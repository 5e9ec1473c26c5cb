import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isoSeconds } from '../clock.ts';
import { StoreError } from '../state/store.ts';
import type { FloatingIp, Network, Port, Subnet } from '../state/types.ts';
import { makeAuthHook } from './auth-hook.ts';
import type { CallerContext, RouteDeps } from './context.ts';
import { caller, isObject, MALFORMED, neutronError, queryList, queryString } from './context.ts';

const pagingKeys = new Set(['limit', 'marker', 'fields', 'sort_key', 'sort_dir', 'page_reverse']);

/**
 * Applies Neutron's generic query filters (`?name=x&router:external=true`, repeatable), then
 * sorts by id and pages with limit/marker, adding absolute `next`/`previous` links.
 */
function listResponse(
  request: FastifyRequest,
  reply: FastifyReply,
  base: string,
  collection: string,
  views: Record<string, unknown>[],
): FastifyReply | Record<string, unknown> {
  const query = isObject(request.query) ? request.query : {};
  let items = views.filter((view) => {
    for (const [key, raw] of Object.entries(query)) {
      if (pagingKeys.has(key)) continue;
      const wanted = (Array.isArray(raw) ? raw : [raw]).map(String);
      const value = view[key];
      if (value === undefined) continue;
      const actual = Array.isArray(value) ? value.map(String) : [String(value)];
      if (!wanted.some((w) => actual.includes(w) || actual.includes(w.toLowerCase()))) return false;
    }
    return true;
  });
  items.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const limitText = queryString(query, 'limit');
  const body: Record<string, unknown> = {};
  if (limitText !== undefined) {
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 0) return neutronError(reply, 400, `Bad limit request: Limit must be an integer 0 or greater and not '${limitText}'.`, 'BadRequest');
    const marker = queryString(query, 'marker');
    if (marker !== undefined) {
      const at = items.findIndex((v) => v.id === marker);
      items = at >= 0 ? items.slice(at + 1) : items.filter((v) => String(v.id) > marker);
    }
    if (limit > 0) {
      const hasMore = items.length > limit;
      items = items.slice(0, limit);
      const links: { rel: string; href: string }[] = [];
      const last = items[items.length - 1];
      const first = items[0];
      if (hasMore && last) links.push({ rel: 'next', href: `${base}/network/v2.0/${collection}?limit=${limit}&marker=${String(last.id)}` });
      if (first && (marker !== undefined || hasMore)) links.push({ rel: 'previous', href: `${base}/network/v2.0/${collection}?limit=${limit}&marker=${String(first.id)}&page_reverse=True` });
      if (links.length > 0) body[`${collection}_links`] = links;
    }
  }
  body[collection] = items;
  return body;
}

/** Neutron v2.0: networks, subnets, ports with fixed-IP allocation, floating IPs, security groups. */
export function registerNetwork(app: FastifyInstance, deps: RouteDeps): void {
  const { store } = deps;
  const authenticate = makeAuthHook(deps);
  const base = () => deps.baseUrl();

  const versions = async () => ({
    versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${base()}/network/v2.0/` }] }],
  });
  app.get('/network', versions);

  const visibleNetwork = (n: Network, ctx: CallerContext) => ctx.isAdmin || n.projectId === ctx.project.id || n.shared || n.external;
  const ownOrAdmin = (projectId: string, ctx: CallerContext) => ctx.isAdmin || projectId === ctx.project.id;

  function networkView(n: Network, ctx: CallerContext): Record<string, unknown> {
    const view: Record<string, unknown> = {
      id: n.id,
      name: n.name,
      tenant_id: n.projectId,
      admin_state_up: n.adminStateUp,
      mtu: n.mtu,
      status: n.status,
      subnets: [...store.subnets.values()].filter((s) => s.networkId === n.id).map((s) => s.id),
      shared: n.shared,
      availability_zone_hints: [],
      availability_zones: [],
      ipv4_address_scope: null,
      ipv6_address_scope: null,
      'router:external': n.external,
      description: n.description,
      port_security_enabled: true,
    };
    if (n.external) view.is_default = false;
    if (ctx.isAdmin) {
      view['provider:network_type'] = n.providerNetworkType;
      view['provider:physical_network'] = n.providerPhysicalNetwork;
      view['provider:segmentation_id'] = n.providerSegmentationId;
    }
    Object.assign(view, { tags: [], created_at: isoSeconds(n.createdAt), updated_at: isoSeconds(n.updatedAt), revision_number: n.revision, project_id: n.projectId });
    return view;
  }

  const subnetView = (s: Subnet) => ({
    id: s.id,
    name: s.name,
    tenant_id: s.projectId,
    network_id: s.networkId,
    ip_version: s.ipVersion,
    subnetpool_id: null,
    enable_dhcp: s.enableDhcp,
    ipv6_ra_mode: null,
    ipv6_address_mode: null,
    gateway_ip: s.gatewayIp,
    cidr: s.cidr,
    allocation_pools: s.allocationPools.map((p) => ({ ...p })),
    host_routes: [],
    dns_nameservers: [...s.dnsNameservers],
    description: '',
    service_types: [],
    tags: [],
    created_at: isoSeconds(s.createdAt),
    updated_at: isoSeconds(s.updatedAt),
    revision_number: s.revision,
    project_id: s.projectId,
  });

  function portView(p: Port, ctx: CallerContext): Record<string, unknown> {
    const view: Record<string, unknown> = {
      id: p.id,
      name: p.name,
      network_id: p.networkId,
      tenant_id: p.projectId,
      mac_address: p.macAddress,
      admin_state_up: p.adminStateUp,
      status: p.status,
      device_id: p.deviceId,
      device_owner: p.deviceOwner,
      fixed_ips: p.fixedIps.map((ip) => ({ subnet_id: ip.subnetId, ip_address: ip.ipAddress })),
      allowed_address_pairs: [],
      extra_dhcp_opts: [],
      security_groups: [...p.securityGroups],
      description: '',
      'binding:vnic_type': 'normal',
    };
    if (ctx.isAdmin) {
      view['binding:host_id'] = p.bindingHostId;
      view['binding:vif_type'] = p.bindingVifType;
      view['binding:vif_details'] = {};
      view['binding:profile'] = {};
    }
    Object.assign(view, { port_security_enabled: true, tags: [], created_at: isoSeconds(p.createdAt), updated_at: isoSeconds(p.updatedAt), revision_number: p.revision, project_id: p.projectId });
    return view;
  }

  const floatingView = (f: FloatingIp) => ({
    id: f.id,
    tenant_id: f.projectId,
    floating_ip_address: f.floatingIpAddress,
    floating_network_id: f.floatingNetworkId,
    router_id: f.routerId,
    port_id: f.portId,
    fixed_ip_address: f.fixedIpAddress,
    status: f.status,
    description: f.description,
    port_details: null,
    tags: [],
    created_at: isoSeconds(f.createdAt),
    updated_at: isoSeconds(f.updatedAt),
    revision_number: f.revision,
    project_id: f.projectId,
  });

  app.register(async (api) => {
    api.addHook('onRequest', authenticate);
    type P = { Params: { id: string } };

    api.get('/networks', async (request, reply) => {
      const ctx = caller(request);
      const views = [...store.networks.values()].filter((n) => visibleNetwork(n, ctx)).map((n) => networkView(n, ctx));
      return listResponse(request, reply, base(), 'networks', views);
    });
    api.get<P>('/networks/:id', async (request, reply) => {
      const ctx = caller(request);
      const network = store.networks.get(request.params.id);
      if (!network || !visibleNetwork(network, ctx)) return neutronError(reply, 404, `Network ${request.params.id} could not be found.`, 'NetworkNotFound');
      return { network: networkView(network, ctx) };
    });

    api.get('/subnets', async (request, reply) => {
      const ctx = caller(request);
      const views = [...store.subnets.values()]
        .filter((s) => {
          const network = store.networks.get(s.networkId);
          return network !== undefined && visibleNetwork(network, ctx);
        })
        .map(subnetView);
      return listResponse(request, reply, base(), 'subnets', views);
    });
    api.get<P>('/subnets/:id', async (request, reply) => {
      const ctx = caller(request);
      const subnet = store.subnets.get(request.params.id);
      const network = subnet ? store.networks.get(subnet.networkId) : undefined;
      if (!subnet || !network || !visibleNetwork(network, ctx)) return neutronError(reply, 404, `Subnet ${request.params.id} could not be found.`, 'SubnetNotFound');
      return { subnet: subnetView(subnet) };
    });

    api.get('/ports', async (request, reply) => {
      const ctx = caller(request);
      // Narrow by device_id before building views: with bulk-loaded servers there are tens of thousands of ports.
      const deviceIds = queryList(request.query, 'device_id');
      const views = [...store.ports.values()]
        .filter((p) => ownOrAdmin(p.projectId, ctx) && (deviceIds.length === 0 || deviceIds.includes(p.deviceId)))
        .map((p) => portView(p, ctx));
      return listResponse(request, reply, base(), 'ports', views);
    });
    api.get<P>('/ports/:id', async (request, reply) => {
      const ctx = caller(request);
      const port = store.ports.get(request.params.id);
      if (!port || !ownOrAdmin(port.projectId, ctx)) return neutronError(reply, 404, `Port ${request.params.id} could not be found.`, 'PortNotFound');
      return { port: portView(port, ctx) };
    });
    api.post('/ports', async (request, reply) => {
      const ctx = caller(request);
      const body = request.body;
      if (body === MALFORMED) return neutronError(reply, 400, 'Malformed JSON in request body.', 'BadRequest');
      const spec = isObject(body) && isObject(body.port) ? body.port : undefined;
      if (!spec || typeof spec.network_id !== 'string') return neutronError(reply, 400, "Failed to parse request. Required attribute 'network_id' not specified", 'HTTPBadRequest');
      const network = store.networks.get(spec.network_id);
      if (!network || !visibleNetwork(network, ctx)) return neutronError(reply, 404, `Network ${spec.network_id} could not be found.`, 'NetworkNotFound');
      if (network.projectId !== ctx.project.id && !network.shared && !ctx.isAdmin) {
        return neutronError(reply, 403, `Tenant ${ctx.project.id} not allowed to create port on this network`, 'NotAuthorized');
      }
      try {
        const port = store.createPort(network, ctx.project.id, store.now(), { name: typeof spec.name === 'string' ? spec.name : '' });
        store.changed();
        return reply.code(201).send({ port: portView(port, ctx) });
      } catch (error) {
        if (error instanceof StoreError) return neutronError(reply, error.status, error.message, error.kind);
        throw error;
      }
    });
    api.delete<P>('/ports/:id', async (request, reply) => {
      const ctx = caller(request);
      const port = store.ports.get(request.params.id);
      if (!port || !ownOrAdmin(port.projectId, ctx)) return neutronError(reply, 404, `Port ${request.params.id} could not be found.`, 'PortNotFound');
      store.deletePort(port);
      store.changed();
      return reply.code(204).send();
    });

    api.get('/floatingips', async (request, reply) => {
      const ctx = caller(request);
      const views = [...store.floatingIps.values()].filter((f) => ownOrAdmin(f.projectId, ctx)).map(floatingView);
      return listResponse(request, reply, base(), 'floatingips', views);
    });
    api.get<P>('/floatingips/:id', async (request, reply) => {
      const ctx = caller(request);
      const fip = store.floatingIps.get(request.params.id);
      if (!fip || !ownOrAdmin(fip.projectId, ctx)) return neutronError(reply, 404, `Floating IP ${request.params.id} could not be found`, 'FloatingIPNotFound');
      return { floatingip: floatingView(fip) };
    });
    api.post('/floatingips', async (request, reply) => {
      const ctx = caller(request);
      const body = request.body;
      const spec = isObject(body) && isObject(body.floatingip) ? body.floatingip : undefined;
      if (!spec || typeof spec.floating_network_id !== 'string') {
        return neutronError(reply, 400, "Failed to parse request. Required attribute 'floating_network_id' not specified", 'HTTPBadRequest');
      }
      const network = store.networks.get(spec.floating_network_id);
      if (!network || !visibleNetwork(network, ctx)) return neutronError(reply, 404, `Network ${spec.floating_network_id} could not be found.`, 'NetworkNotFound');
      if (!network.external) return neutronError(reply, 400, `Bad floatingip request: Network ${network.id} is not a valid external network.`, 'BadRequest');
      const subnet = [...store.subnets.values()].find((s) => s.networkId === network.id);
      if (!subnet) return neutronError(reply, 409, `No more IP addresses available on network ${network.id}.`, 'IpAddressGenerationFailure');
      const now = store.now();
      let address: string;
      try {
        address = store.allocateIp(subnet);
      } catch (error) {
        if (error instanceof StoreError) return neutronError(reply, error.status, error.message, error.kind);
        throw error;
      }
      const fip: FloatingIp = {
        id: store.ids.uuid(),
        projectId: ctx.project.id,
        floatingNetworkId: network.id,
        floatingIpAddress: address,
        fixedIpAddress: null,
        portId: null,
        routerId: null,
        status: 'DOWN',
        description: typeof spec.description === 'string' ? spec.description : '',
        createdAt: now,
        updatedAt: now,
        revision: 0,
      };
      store.floatingIps.set(fip.id, fip);
      const result = associate(fip, spec.port_id, ctx);
      if (typeof result === 'string') {
        store.floatingIps.delete(fip.id);
        return neutronError(reply, 404, result, 'PortNotFound');
      }
      store.changed();
      return reply.code(201).send({ floatingip: floatingView(fip) });
    });
    api.put<P>('/floatingips/:id', async (request, reply) => {
      const ctx = caller(request);
      const fip = store.floatingIps.get(request.params.id);
      if (!fip || !ownOrAdmin(fip.projectId, ctx)) return neutronError(reply, 404, `Floating IP ${request.params.id} could not be found`, 'FloatingIPNotFound');
      const body = request.body;
      const spec = isObject(body) && isObject(body.floatingip) ? body.floatingip : {};
      const result = associate(fip, spec.port_id, ctx);
      if (typeof result === 'string') return neutronError(reply, 404, result, 'PortNotFound');
      store.changed();
      return { floatingip: floatingView(fip) };
    });
    api.delete<P>('/floatingips/:id', async (request, reply) => {
      const ctx = caller(request);
      const fip = store.floatingIps.get(request.params.id);
      if (!fip || !ownOrAdmin(fip.projectId, ctx)) return neutronError(reply, 404, `Floating IP ${request.params.id} could not be found`, 'FloatingIPNotFound');
      store.floatingIps.delete(fip.id);
      store.changed();
      return reply.code(204).send();
    });

    api.get<P>('/quotas/:id', async (request, reply) => {
      const ctx = caller(request);
      if (!ownOrAdmin(request.params.id, ctx)) return neutronError(reply, 403, 'Non-admin is not authorized to access quotas for another project', 'HTTPForbidden');
      // Neutron's default quotas; the simulator does not enforce them.
      return { quota: { network: 100, subnet: 100, subnetpool: -1, port: 500, router: 10, floatingip: 50, security_group: 10, security_group_rule: 100, rbac_policy: 10 } };
    });

    api.get('/security-groups', async (request, reply) => {
      const ctx = caller(request);
      const views = [...store.securityGroups.values()]
        .filter((g) => ownOrAdmin(g.projectId, ctx))
        .map((g) => ({
          id: g.id,
          name: g.name,
          tenant_id: g.projectId,
          description: g.description,
          security_group_rules: [],
          stateful: true,
          shared: false,
          tags: [],
          created_at: isoSeconds(g.createdAt),
          updated_at: isoSeconds(g.createdAt),
          revision_number: 1,
          project_id: g.projectId,
        }));
      return listResponse(request, reply, base(), 'security_groups', views);
    });
  }, { prefix: '/network/v2.0' });

  /** Sets or clears a floating IP's port; returns an error message when the port is unknown. */
  function associate(fip: FloatingIp, portId: unknown, ctx: CallerContext): true | string {
    if (portId === undefined) return true;
    const now = store.now();
    if (portId === null) {
      fip.portId = null;
      fip.fixedIpAddress = null;
      fip.status = 'DOWN';
    } else {
      const port = typeof portId === 'string' ? store.ports.get(portId) : undefined;
      if (!port || !ownOrAdmin(port.projectId, ctx)) return `Port ${String(portId)} could not be found.`;
      fip.portId = port.id;
      fip.fixedIpAddress = port.fixedIps[0]?.ipAddress ?? null;
      fip.status = 'ACTIVE';
    }
    fip.updatedAt = now;
    fip.revision++;
    return true;
  }
}
