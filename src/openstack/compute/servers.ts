import type { OpenStackClient } from '../client.ts';
import { requireObject, requireString } from '../decode.ts';
import { OPENSTACK_ERROR_CODES, OpenStackError } from '../errors.ts';
import { collectAll, nextFromLinksArray, paginate } from '../pager.ts';
import type { Query } from '../url.ts';
import { decodeServer } from './decode-server.ts';
import { atLeast, computeMicroversion, computeRequest, microversionHeaders } from './microversion.ts';
import type { AcceptedRequest } from './server-actions.ts';
import type { Server } from './types.ts';

export interface ListServersFilters {
  /** Admin only: servers of every project (`all_tenants=1`); a member gets 403. */
  allTenants?: boolean;
  /** With allTenants, only this project's servers. */
  projectId?: string;
  /** Servers changed since this time, deleted ones included with status DELETED. */
  changesSince?: Date | string;
  status?: string;
  /** Nova treats `name` as a regular expression. */
  name?: string;
  /** Page size; Nova caps it at `[api] max_limit` (1000 by default) and the pager follows links. */
  limit?: number;
  /** Start after this server id. */
  marker?: string;
  signal?: AbortSignal;
}

function listQuery(filters: ListServersFilters): Query {
  const changesSince = filters.changesSince instanceof Date ? filters.changesSince.toISOString() : filters.changesSince;
  return {
    all_tenants: filters.allTenants === true ? 1 : undefined,
    project_id: filters.projectId,
    'changes-since': changesSince,
    status: filters.status,
    name: filters.name,
    limit: filters.limit,
    marker: filters.marker,
  };
}

/** Yields pages of `GET /servers/detail`, following `servers_links` past Nova's per-page cap. */
export async function* listServerPages(client: OpenStackClient, filters: ListServersFilters = {}): AsyncGenerator<Server[]> {
  const microversion = await computeMicroversion(client, filters.signal);
  yield* paginate(
    client,
    { service: 'compute', path: '/servers/detail', query: listQuery(filters), headers: microversionHeaders(microversion), signal: filters.signal },
    { itemsKey: 'servers', decode: decodeServer, nextLink: nextFromLinksArray('servers_links') },
  );
}

/** Lists every server matching the filters, across all pages. */
export function listServers(client: OpenStackClient, filters: ListServersFilters = {}): Promise<Server[]> {
  return collectAll(listServerPages(client, filters));
}

export async function getServer(client: OpenStackClient, serverId: string, signal?: AbortSignal): Promise<Server> {
  const response = await computeRequest(client, { method: 'GET', path: `/servers/${encodeURIComponent(serverId)}`, signal });
  return decodeServer(requireObject(response.body, 'server response')['server']);
}

/** A network to attach: an existing network, port, or network with a fixed IP. */
export interface ServerNetwork {
  uuid?: string;
  port?: string;
  fixedIp?: string;
  /** Device tag (2.32 to 2.36 and 2.42 on). */
  tag?: string;
}

/** One block device mapping v2 entry, e.g. a volume created from an image for boot from volume. */
export interface BlockDeviceMapping {
  sourceType: 'image' | 'volume' | 'snapshot' | 'blank';
  destinationType: 'volume' | 'local';
  /** Id of the image, volume or snapshot named by sourceType. */
  uuid?: string;
  /** 0 for the boot disk. */
  bootIndex?: number;
  /** GiB, for a new volume. */
  volumeSize?: number;
  deleteOnTermination?: boolean;
  volumeType?: string;
  deviceName?: string;
}

export interface CreateServerRequest {
  name: string;
  flavorId: string;
  /** Omit to boot from volume with a block device mapping. */
  imageId?: string;
  /**
   * `auto` lets Nova pick or allocate a network, `none` attaches none (2.37 and later), or an
   * explicit list. Before 2.37 `auto` sends nothing, which attaches every available network.
   */
  networks: 'auto' | 'none' | ServerNetwork[];
  blockDeviceMappings?: BlockDeviceMapping[];
  metadata?: Record<string, string>;
  availabilityZone?: string;
  keyName?: string;
  securityGroups?: string[];
  /** Plain text; it is sent base64 encoded. */
  userData?: string;
  description?: string;
  signal?: AbortSignal;
}

/** Nova's limit on `user_data` after base64 encoding. */
const MAX_USER_DATA_BASE64_BYTES = 65_535;

function unsupported(message: string): OpenStackError {
  return new OpenStackError({ code: OPENSTACK_ERROR_CODES.OS_UNSUPPORTED, message });
}

function networksField(networks: CreateServerRequest['networks'], microversion: string): unknown {
  if (networks === 'auto' || networks === 'none') {
    if (atLeast(microversion, '2.37')) {
      return networks;
    }
    if (networks === 'none') {
      throw unsupported(`networks "none" needs compute microversion 2.37; the cloud offers ${microversion}`);
    }
    return undefined;
  }

  return networks.map((network) => ({
    uuid: network.uuid,
    port: network.port,
    fixed_ip: network.fixedIp,
    tag: network.tag,
  }));
}

function blockDeviceMappingField(mappings: BlockDeviceMapping[] | undefined): unknown {
  return mappings?.map((mapping) => ({
    source_type: mapping.sourceType,
    destination_type: mapping.destinationType,
    uuid: mapping.uuid,
    boot_index: mapping.bootIndex,
    volume_size: mapping.volumeSize,
    delete_on_termination: mapping.deleteOnTermination,
    volume_type: mapping.volumeType,
    device_name: mapping.deviceName,
  }));
}

function encodeUserData(userData: string | undefined): string | undefined {
  if (userData === undefined) {
    return undefined;
  }
  const encoded = Buffer.from(userData, 'utf8').toString('base64');
  if (encoded.length > MAX_USER_DATA_BASE64_BYTES) {
    throw new OpenStackError({
      code: OPENSTACK_ERROR_CODES.OS_BAD_REQUEST,
      message: `user_data is ${encoded.length} bytes after base64 encoding; Nova accepts at most ${MAX_USER_DATA_BASE64_BYTES}`,
    });
  }
  return encoded;
}

/** Builds the body of `POST /servers` for the negotiated microversion. */
export function buildCreateServerBody(request: CreateServerRequest, microversion: string): Record<string, unknown> {
  if (request.description !== undefined && !atLeast(microversion, '2.19')) {
    throw unsupported(`A server description needs compute microversion 2.19; the cloud offers ${microversion}`);
  }

  const server: Record<string, unknown> = {
    name: request.name,
    flavorRef: request.flavorId,
    imageRef: request.imageId ?? '',
    networks: networksField(request.networks, microversion),
    block_device_mapping_v2: blockDeviceMappingField(request.blockDeviceMappings),
    metadata: request.metadata,
    availability_zone: request.availabilityZone,
    key_name: request.keyName,
    security_groups: request.securityGroups?.map((name) => ({ name })),
    user_data: encodeUserData(request.userData),
    description: request.description,
  };
  return { server };
}

/**
 * Creates a server and returns its id with Nova's request id. Nova returns 202 with only the id
 * (plus links and adminPass), so callers GET the server or waitForServer for its state. Never
 * retried, because a repeated POST would create a second server.
 */
export async function createServerWithRequestId(client: OpenStackClient, request: CreateServerRequest): Promise<{ serverId: string; requestId: string | null }> {
  const microversion = await computeMicroversion(client, request.signal);
  const response = await computeRequest(client, {
    method: 'POST',
    path: '/servers',
    json: buildCreateServerBody(request, microversion),
    signal: request.signal,
  });
  const serverId = requireString(requireObject(requireObject(response.body, 'create response')['server'], 'server'), 'id', 'server');
  return { serverId, requestId: response.requestId ?? null };
}

/** Creates a server and returns its id; see createServerWithRequestId. */
export async function createServer(client: OpenStackClient, request: CreateServerRequest): Promise<string> {
  return (await createServerWithRequestId(client, request)).serverId;
}

/** Deletes a server (204). A second delete, or one of an unknown id, fails with OS_NOT_FOUND. */
export async function deleteServer(client: OpenStackClient, serverId: string, signal?: AbortSignal): Promise<AcceptedRequest> {
  const response = await computeRequest(client, { method: 'DELETE', path: `/servers/${encodeURIComponent(serverId)}`, signal });
  return { requestId: response.requestId ?? null };
}
