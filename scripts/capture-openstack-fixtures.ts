// Captures real OpenStack responses for the unit tests of src/openstack into
// test/fixtures/openstack/*.json. Each fixture contains the request (method, service, path) and the
// response (status, selected headers, body) with tokens and passwords replaced and every
// http://127.0.0.1:<port> origin replaced by `{{origin}}/<service>`, so the fake server of the
// unit tests can serve it from any port.
//
// Usage (needs a running local cloud and its clouds.yaml):
//   OS_CLIENT_CONFIG_FILE=/var/lib/local-openstack/clouds.yaml npx tsx scripts/capture-openstack-fixtures.ts
//
// The script creates two servers, a volume and a floating IP in the member project, one failing
// server, a temporary flavor and a temporary project, and deletes all of them before it exits,
// also after a failure.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  createOpenStackClient,
  createServer,
  deleteFloatingIp,
  deleteServer,
  deleteVolume,
  listImages,
  listNetworks,
  loadCloudConfig,
  waitForServer,
  waitForVolume,
  type CloudConfig,
  type OpenStackClient,
} from '../src/openstack/index.ts';

const OUTPUT_DIR = path.resolve('test/fixtures/openstack');
const MEMBER_CLOUD = process.env['TEST_OS_CLOUD'] ?? 'local-demo';
const ADMIN_CLOUD = process.env['TEST_OS_ADMIN_CLOUD'] ?? 'local-admin';
const LATEST = '2.93';
const SERVER_WAIT_MS = 120_000;

/** Service name per local port, used for the `{{origin}}/<service>` placeholders. */
const SERVICE_BY_PORT: Record<string, string> = {
  '5000': 'identity',
  '8774': 'compute',
  '9292': 'image',
  '9696': 'network',
  '8776': 'volume',
  '8778': 'placement',
};

const KEPT_HEADERS = ['content-type', 'x-openstack-request-id', 'x-compute-request-id', 'openstack-api-version', 'retry-after', 'location'];

interface Session {
  token: string;
  projectId: string;
  endpoints: Record<string, string>;
}

const secrets = new Map<string, string>();

function sanitize(text: string): string {
  let result = text.replace(/http:\/\/127\.0\.0\.1:(\d+)/g, (match, port: string) => {
    const service = SERVICE_BY_PORT[port];
    return service === undefined ? match : `{{origin}}/${service}`;
  });
  for (const [secret, replacement] of secrets) {
    result = result.split(secret).join(replacement);
  }

  // The generated root password of a new server and the one-time token of a console URL.
  result = result.replace(/"adminPass": "[^"]*"/g, '"adminPass": "fixture-admin-pass"');
  return result.replace(/token%3D[0-9a-f-]+/g, 'token%3Dfixture-console-token');
}

async function authenticate(cloud: CloudConfig, projectId?: string): Promise<Session> {
  const auth = cloud.auth;
  const scope = projectId === undefined ? { project: { name: auth.projectName, domain: { name: auth.projectDomainName ?? 'Default' } } } : { project: { id: projectId } };
  const response = await fetch(`${auth.authUrl.replace(/\/+$/, '')}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: auth.username, domain: { name: auth.userDomainName ?? 'Default' }, password: auth.password } } },
        scope,
      },
    }),
  });
  if (response.status !== 201) {
    throw new Error(`Authentication for ${cloud.name} failed with ${response.status}: ${await response.text()}`);
  }

  const token = response.headers.get('x-subject-token') ?? '';
  const body = (await response.json()) as { token: { project: { id: string }; catalog: Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }> } };
  const endpoints: Record<string, string> = {};
  for (const service of body.token.catalog) {
    const endpoint = service.endpoints.find((candidate) => candidate.interface === 'public');
    if (endpoint !== undefined) {
      endpoints[service.type] = endpoint.url.replace(/\/+$/, '');
    }
  }
  secrets.set(token, `fixture-token-${secrets.size + 1}`);
  return { token, projectId: body.token.project.id, endpoints };
}

interface CaptureRequest {
  name: string;
  session?: Session;
  service: string;
  method?: string;
  /** Path below the endpoint, or an absolute URL (paging links). */
  path: string;
  microversion?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Expected status, or several when the outcome depends on the cloud (e.g. console support). */
  expectStatus: number | number[];
}

interface CapturedResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

async function capture(request: CaptureRequest): Promise<CapturedResponse> {
  const base = request.session?.endpoints[request.service] ?? '';
  const url = /^https?:/.test(request.path) ? request.path : base + request.path;
  const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
  if (request.session !== undefined) {
    headers['X-Auth-Token'] = request.session.token;
  }
  if (request.microversion !== undefined) {
    headers['OpenStack-API-Version'] = `compute ${request.microversion}`;
  }
  if (request.body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }

  const response = await fetch(url, { method: request.method ?? 'GET', headers, body: request.body === undefined ? undefined : JSON.stringify(request.body) });
  const text = await response.text();
  const expected = Array.isArray(request.expectStatus) ? request.expectStatus : [request.expectStatus];
  if (!expected.includes(response.status)) {
    throw new Error(`${request.name}: ${request.method ?? 'GET'} ${url} returned ${response.status}, expected ${request.expectStatus}: ${text.slice(0, 300)}`);
  }

  const keptHeaders: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) {
      keptHeaders[name] = sanitize(value);
    }
  }

  let body: unknown;
  let bodyText: string | undefined;
  try {
    body = text === '' ? undefined : JSON.parse(sanitize(text));
  } catch {
    bodyText = sanitize(text);
  }

  const parsedUrl = new URL(sanitize(url).replace('{{origin}}', 'http://origin.invalid'));
  const fixture = {
    name: request.name,
    capturedFrom: 'OpenStack Zed (nova 26, glance 25, neutron 21, cinder 21, keystone 22) on 127.0.0.1',
    request: {
      method: request.method ?? 'GET',
      path: parsedUrl.pathname + parsedUrl.search,
      microversion: request.microversion,
      body: request.body === undefined ? undefined : JSON.parse(sanitize(JSON.stringify(request.body))),
    },
    response: { status: response.status, headers: keptHeaders, body, bodyText },
  };
  writeFileSync(path.join(OUTPUT_DIR, `${request.name}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
  console.log(`captured ${request.name} (${response.status})`);
  return { status: response.status, headers: keptHeaders, body: bodyText === undefined && text !== '' ? (JSON.parse(text) as unknown) : undefined };
}

function nextLink(body: unknown, key: string): string {
  const links = (body as Record<string, Array<{ rel: string; href: string }>>)[key] ?? [];
  const next = links.find((link) => link.rel === 'next');
  if (next === undefined) {
    throw new Error(`No next link in ${key}`);
  }
  return next.href;
}

async function captureIdentity(member: CloudConfig): Promise<void> {
  const auth = member.auth;
  const identityUrl = auth.authUrl.replace(/\/+$/, '');
  const passwordBody = (password: string): unknown => ({
    auth: {
      identity: { methods: ['password'], password: { user: { name: auth.username, domain: { name: auth.userDomainName }, password } } },
      scope: { project: { name: auth.projectName, domain: { name: auth.projectDomainName } } },
    },
  });
  secrets.set(auth.password ?? '', 'fixture-password');

  await captureTokenIssue(identityUrl, passwordBody(auth.password ?? ''));
  await capture({ name: 'identity-token-wrong-password', service: 'identity', method: 'POST', path: `${identityUrl}/auth/tokens`, body: passwordBody('wrong-password'), expectStatus: 401 });
}

/** Captures a token issue including the X-Subject-Token header (replaced by a fixed value). */
async function captureTokenIssue(identityUrl: string, body: unknown): Promise<void> {
  const response = await fetch(`${identityUrl}/auth/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const token = response.headers.get('x-subject-token') ?? '';
  secrets.set(token, 'fixture-token-password');
  const text = await response.text();
  const fixture = {
    name: 'identity-token-password',
    capturedFrom: 'OpenStack Zed (keystone 22) on 127.0.0.1',
    request: { method: 'POST', path: '/identity/v3/auth/tokens', body: JSON.parse(sanitize(JSON.stringify(body))) as unknown },
    response: {
      status: response.status,
      headers: { 'content-type': response.headers.get('content-type') ?? '', 'x-subject-token': sanitize(token), 'x-openstack-request-id': response.headers.get('x-openstack-request-id') ?? '' },
      body: JSON.parse(sanitize(text)) as unknown,
    },
  };
  writeFileSync(path.join(OUTPUT_DIR, 'identity-token-password.json'), `${JSON.stringify(fixture, null, 2)}\n`);
  console.log('captured identity-token-password');
}

async function waitActive(client: OpenStackClient, serverId: string): Promise<void> {
  await waitForServer(client, serverId, { target: 'ACTIVE', deadlineMs: SERVER_WAIT_MS, pollIntervalMs: 1000 });
}

async function captureCompute(memberClient: OpenStackClient, member: Session, created: string[]): Promise<void> {
  await capture({ name: 'compute-version-document', session: member, service: 'compute', path: '/', expectStatus: 200 });

  const image = (await listImages(memberClient, { name: 'ubuntu-22.04' }))[0];
  const network = (await listNetworks(memberClient, { name: 'demo-net' }))[0];
  if (image === undefined || network === undefined) {
    throw new Error('The demo image ubuntu-22.04 or network demo-net is missing');
  }

  const flavors = await capture({ name: 'compute-flavors-detail-2.1', session: member, service: 'compute', path: '/flavors/detail', microversion: '2.1', expectStatus: 200 });
  await capture({ name: 'compute-flavors-detail-2.93', session: member, service: 'compute', path: '/flavors/detail', microversion: LATEST, expectStatus: 200 });
  const small = ((flavors.body as { flavors: Array<{ id: string; name: string }> }).flavors).find((flavor) => flavor.name === 'm1.small');
  if (small === undefined) {
    throw new Error('Flavor m1.small is missing');
  }
  await capture({ name: 'compute-flavor-get-2.1', session: member, service: 'compute', path: `/flavors/${small.id}`, microversion: '2.1', expectStatus: 200 });

  const createBody = {
    server: {
      name: 'fixture-server-1',
      flavorRef: small.id,
      imageRef: image.id,
      networks: [{ uuid: network.id }],
      metadata: { purpose: 'fixture' },
    },
  };
  const createResponse = await capture({ name: 'compute-server-create-202', session: member, service: 'compute', method: 'POST', path: '/servers', microversion: LATEST, body: createBody, expectStatus: 202 });
  const firstId = (createResponse.body as { server: { id: string } }).server.id;
  created.push(firstId);
  const secondId = await createServer(memberClient, { name: 'fixture-server-2', flavorId: small.id, imageId: image.id, networks: [{ uuid: network.id }] });
  created.push(secondId);
  await waitActive(memberClient, firstId);
  await waitActive(memberClient, secondId);

  await capture({ name: 'compute-server-get-2.93', session: member, service: 'compute', path: `/servers/${firstId}`, microversion: LATEST, expectStatus: 200 });
  await capture({ name: 'compute-server-get-2.1', session: member, service: 'compute', path: `/servers/${firstId}`, microversion: '2.1', expectStatus: 200 });
  await capture({ name: 'compute-servers-detail-2.1', session: member, service: 'compute', path: '/servers/detail?name=fixture-server', microversion: '2.1', expectStatus: 200 });

  const page1 = await capture({ name: 'compute-servers-detail-page-1', session: member, service: 'compute', path: '/servers/detail?name=fixture-server&limit=1', microversion: LATEST, expectStatus: 200 });
  const page2 = await capture({ name: 'compute-servers-detail-page-2', session: member, service: 'compute', path: nextLink(page1.body, 'servers_links'), microversion: LATEST, expectStatus: 200 });
  await capture({ name: 'compute-servers-detail-page-3', session: member, service: 'compute', path: nextLink(page2.body, 'servers_links'), microversion: LATEST, expectStatus: 200 });

  await capture({ name: 'compute-server-start-active-409', session: member, service: 'compute', method: 'POST', path: `/servers/${firstId}/action`, microversion: LATEST, body: { 'os-start': null }, expectStatus: 409 });
  await capture({ name: 'compute-server-stop-202', session: member, service: 'compute', method: 'POST', path: `/servers/${firstId}/action`, microversion: LATEST, body: { 'os-stop': null }, expectStatus: 202 });
  await waitForServer(memberClient, firstId, { target: 'SHUTOFF', deadlineMs: SERVER_WAIT_MS });
  await capture({ name: 'compute-server-get-shutoff-2.93', session: member, service: 'compute', path: `/servers/${firstId}`, microversion: LATEST, expectStatus: 200 });
  await capture({ name: 'compute-server-stop-shutoff-409', session: member, service: 'compute', method: 'POST', path: `/servers/${firstId}/action`, microversion: LATEST, body: { 'os-stop': null }, expectStatus: 409 });

  const actions = await capture({ name: 'compute-instance-actions-list', session: member, service: 'compute', path: `/servers/${firstId}/os-instance-actions`, microversion: LATEST, expectStatus: 200 });
  const requestId = (actions.body as { instanceActions: Array<{ request_id: string }> }).instanceActions[0]?.request_id ?? '';
  await capture({ name: 'compute-instance-action-get', session: member, service: 'compute', path: `/servers/${firstId}/os-instance-actions/${requestId}`, microversion: LATEST, expectStatus: 200 });

  // Nova's fake driver has no console; the status records how this cloud rejects the request.
  const consoleBody = { remote_console: { protocol: 'vnc', type: 'novnc' } };
  await capture({ name: 'compute-remote-console', session: member, service: 'compute', method: 'POST', path: `/servers/${secondId}/remote-consoles`, microversion: LATEST, body: consoleBody, expectStatus: [200, 400, 409, 501] });

  await capture({ name: 'compute-limits', session: member, service: 'compute', path: '/limits', microversion: LATEST, expectStatus: 200 });
  await capture({ name: 'compute-quota-set', session: member, service: 'compute', path: `/os-quota-sets/${member.projectId}`, microversion: LATEST, expectStatus: 200 });
  await capture({ name: 'compute-server-not-found-404', session: member, service: 'compute', path: '/servers/00000000-0000-0000-0000-000000000000', microversion: LATEST, expectStatus: 404 });
  await capture({ name: 'compute-all-tenants-member-403', session: member, service: 'compute', path: '/servers/detail?all_tenants=1', microversion: LATEST, expectStatus: 403 });
  await capture({ name: 'compute-bad-marker-400', session: member, service: 'compute', path: '/servers/detail?marker=00000000-0000-0000-0000-000000000000', microversion: LATEST, expectStatus: 400 });
  await capture({ name: 'compute-invalid-token-401', session: { ...member, token: 'invalid-token' }, service: 'compute', path: '/servers/detail', microversion: LATEST, expectStatus: 401 });

  const before = new Date(Date.now() - 1000).toISOString();
  await deleteServer(memberClient, secondId);
  await waitForServer(memberClient, secondId, { target: 'DELETED', deadlineMs: SERVER_WAIT_MS });
  created.splice(created.indexOf(secondId), 1);
  await capture({ name: 'compute-servers-changes-since', session: member, service: 'compute', path: `/servers/detail?changes-since=${encodeURIComponent(before)}`, microversion: LATEST, expectStatus: 200 });
  await capture({ name: 'compute-server-deleted-404', session: member, service: 'compute', path: `/servers/${secondId}`, microversion: LATEST, expectStatus: 404 });
}

async function captureComputeFault(adminClient: OpenStackClient, admin: Session, created: string[], cleanups: Array<() => Promise<void>>): Promise<void> {
  // The fake driver reports 600 000 GiB of DISK_GB to Placement (max_unit 600 000), so a 700 000 GiB
  // root disk makes the scheduler fail with NoValidHost and the server goes to ERROR with a real
  // fault. Disk is not a Nova quota, so the request passes the quota check.
  const flavorResponse = await capture({
    name: 'compute-flavor-create-admin',
    session: admin,
    service: 'compute',
    method: 'POST',
    path: '/flavors',
    microversion: LATEST,
    body: { flavor: { name: 'fixture-too-big', ram: 512, vcpus: 1, disk: 700_000, 'os-flavor-access:is_public': false } },
    expectStatus: 200,
  });
  const flavorId = (flavorResponse.body as { flavor: { id: string } }).flavor.id;
  cleanups.push(async () => {
    await adminClient.request({ service: 'compute', method: 'DELETE', path: `/flavors/${flavorId}` });
  });

  const image = (await listImages(adminClient, { name: 'ubuntu-22.04' }))[0];
  const serverId = await createServer(adminClient, { name: 'fixture-no-valid-host', flavorId, imageId: image?.id ?? '', networks: 'none' });
  created.push(serverId);
  await waitForServer(adminClient, serverId, { target: 'ERROR', deadlineMs: SERVER_WAIT_MS });
  await capture({ name: 'compute-server-get-error-fault', session: admin, service: 'compute', path: `/servers/${serverId}`, microversion: LATEST, expectStatus: 200 });
}

async function captureQuotaFailures(adminClient: OpenStackClient, admin: Session, cleanups: Array<() => Promise<void>>): Promise<void> {
  const identity = admin.endpoints['identity'] ?? '';
  const projectName = `fixture-quota-${Date.now()}`;
  const projectResponse = await fetch(`${identity}/projects`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': admin.token },
    body: JSON.stringify({ project: { name: projectName, domain_id: 'default' } }),
  });
  const projectId = ((await projectResponse.json()) as { project: { id: string } }).project.id;
  cleanups.push(async () => {
    await fetch(`${identity}/projects/${projectId}`, { method: 'DELETE', headers: { 'X-Auth-Token': admin.token } });
  });

  const token = await adminClient.token();
  const roles = (await (await fetch(`${identity}/roles?name=member`, { headers: { 'X-Auth-Token': admin.token } })).json()) as { roles: Array<{ id: string }> };
  const roleId = roles.roles[0]?.id ?? '';
  await fetch(`${identity}/projects/${projectId}/users/${token.userId ?? ''}/roles/${roleId}`, { method: 'PUT', headers: { 'X-Auth-Token': admin.token } });

  await capture({ name: 'compute-quota-update-admin', session: admin, service: 'compute', method: 'PUT', path: `/os-quota-sets/${projectId}`, microversion: LATEST, body: { quota_set: { instances: 0 } }, expectStatus: 200 });
  await adminClient.request({ service: 'network', method: 'PUT', path: `/quotas/${projectId}`, json: { quota: { network: 0 } } });

  const scoped = await authenticate(adminClient.cloud, projectId);
  const flavors = (await adminClient.request({ service: 'compute', method: 'GET', path: '/flavors' })).body as { flavors: Array<{ id: string; name: string }> };
  const small = flavors.flavors.find((flavor) => flavor.name === 'm1.small');
  const image = (await listImages(adminClient, { name: 'ubuntu-22.04' }))[0];
  await capture({
    name: 'compute-server-create-quota-403',
    session: scoped,
    service: 'compute',
    method: 'POST',
    path: '/servers',
    microversion: LATEST,
    body: { server: { name: 'fixture-over-quota', flavorRef: small?.id, imageRef: image?.id, networks: 'none' } },
    expectStatus: 403,
  });
  await capture({ name: 'network-create-over-quota-409', session: scoped, service: 'network', method: 'POST', path: '/v2.0/networks', body: { network: { name: 'fixture-over-quota' } }, expectStatus: 409 });
}

async function captureImages(member: Session): Promise<void> {
  const page1 = await capture({ name: 'image-list-page-1', session: member, service: 'image', path: '/v2/images?limit=2', expectStatus: 200 });
  const next = (page1.body as { next?: string }).next ?? '';
  await capture({ name: 'image-list-page-2', session: member, service: 'image', path: (member.endpoints['image'] ?? '') + next, expectStatus: 200 });
  const images = (page1.body as { images: Array<{ id: string }> }).images;
  await capture({ name: 'image-get', session: member, service: 'image', path: `/v2/images/${images[0]?.id ?? ''}`, expectStatus: 200 });
  await capture({ name: 'image-not-found-404-json', session: member, service: 'image', path: '/v2/images/00000000-0000-0000-0000-000000000000', expectStatus: 404 });
  await capture({ name: 'image-not-found-404-html', session: member, service: 'image', path: '/v2/images/00000000-0000-0000-0000-000000000000', headers: { Accept: 'text/html' }, expectStatus: 404 });
  await capture({ name: 'image-unauthorized-401-html', session: { ...member, token: 'invalid-token' }, service: 'image', path: '/v2/images', headers: { Accept: 'text/html' }, expectStatus: 401 });
}

async function captureNetwork(member: Session): Promise<void> {
  const page1 = await capture({ name: 'network-list-page-1', session: member, service: 'network', path: '/v2.0/networks?limit=1', expectStatus: 200 });
  await capture({ name: 'network-list-page-2', session: member, service: 'network', path: nextLink(page1.body, 'networks_links'), expectStatus: 200 });
  await capture({ name: 'network-list', session: member, service: 'network', path: '/v2.0/networks', expectStatus: 200 });
  await capture({ name: 'network-subnets', session: member, service: 'network', path: '/v2.0/subnets', expectStatus: 200 });
  await capture({ name: 'network-ports', session: member, service: 'network', path: '/v2.0/ports', expectStatus: 200 });
  await capture({ name: 'network-not-found-404', session: member, service: 'network', path: '/v2.0/networks/00000000-0000-0000-0000-000000000000', expectStatus: 404 });
}

async function captureVolume(member: Session, memberClient: OpenStackClient): Promise<void> {
  const created = await capture({ name: 'volume-create-202', session: member, service: 'block-storage', method: 'POST', path: '/volumes', body: { volume: { size: 1, name: 'fixture-volume' } }, expectStatus: 202 });
  const volumeId = (created.body as { volume: { id: string } }).volume.id;
  try {
    await waitForVolume(memberClient, volumeId, { target: 'available', deadlineMs: SERVER_WAIT_MS });
    await capture({ name: 'volume-get', session: member, service: 'block-storage', path: `/volumes/${volumeId}`, expectStatus: 200 });
    await capture({ name: 'volume-list', session: member, service: 'block-storage', path: '/volumes/detail', expectStatus: 200 });
  } finally {
    await deleteVolume(memberClient, volumeId);
    await waitForVolume(memberClient, volumeId, { target: 'deleted', deadlineMs: SERVER_WAIT_MS });
  }
  await capture({ name: 'volume-limits', session: member, service: 'block-storage', path: '/limits', expectStatus: 200 });
  await capture({ name: 'volume-not-found-404', session: member, service: 'block-storage', path: '/volumes/00000000-0000-0000-0000-000000000000', expectStatus: 404 });
}

/** Captures a floating IP list with one unassociated address from the external network `public`. */
async function captureFloatingIps(member: Session, memberClient: OpenStackClient): Promise<void> {
  const external = (await listNetworks(memberClient, { name: 'public' }))[0];
  if (external === undefined) {
    throw new Error('The external network public is missing');
  }
  const created = await capture({ name: 'network-floatingip-create', session: member, service: 'network', method: 'POST', path: '/v2.0/floatingips', body: { floatingip: { floating_network_id: external.id } }, expectStatus: 201 });
  const floatingIpId = (created.body as { floatingip: { id: string } }).floatingip.id;
  try {
    await capture({ name: 'network-floatingips', session: member, service: 'network', path: '/v2.0/floatingips', expectStatus: 200 });
  } finally {
    await deleteFloatingIp(memberClient, floatingIpId);
  }
}

async function main(): Promise<void> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const memberCloud = loadCloudConfig({ cloud: MEMBER_CLOUD });
  const adminCloud = loadCloudConfig({ cloud: ADMIN_CLOUD });
  secrets.set(adminCloud.auth.password ?? '', 'fixture-admin-password');

  const memberClient = createOpenStackClient(memberCloud);
  const adminClient = createOpenStackClient(adminCloud);
  const member = await authenticate(memberCloud);
  const admin = await authenticate(adminCloud);
  const memberServers: string[] = [];
  const adminServers: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  try {
    await captureIdentity(memberCloud);
    await captureCompute(memberClient, member, memberServers);
    await captureComputeFault(adminClient, admin, adminServers, cleanups);
    await captureQuotaFailures(adminClient, admin, cleanups);
    await captureImages(member);
    await captureNetwork(member);
    await captureFloatingIps(member, memberClient);
    await captureVolume(member, memberClient);
  } finally {
    for (const [client, ids] of [[memberClient, memberServers], [adminClient, adminServers]] as const) {
      for (const id of ids) {
        await deleteServer(client, id).then(
          () => waitForServer(client, id, { target: 'DELETED', deadlineMs: SERVER_WAIT_MS }),
          (error: unknown) => console.error(`Cleanup: deleting server ${id} failed: ${String(error)}`),
        );
      }
    }
    for (const cleanup of cleanups.reverse()) {
      await cleanup().then(undefined, (error: unknown) => console.error(`Cleanup failed: ${String(error)}`));
    }
    memberClient.close();
    adminClient.close();
  }
}

await main();
