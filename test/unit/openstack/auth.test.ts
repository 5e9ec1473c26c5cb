import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseCatalog, selectEndpoint, type CatalogService } from '../../../src/openstack/auth/catalog.ts';
import { buildAuthRequestBody, identityV3Url } from '../../../src/openstack/auth/keystone.ts';
import {
  OPENSTACK_ERROR_CODES,
  createOpenStackClient,
  listServers,
  serviceBaseUrl,
  type OpenStackClient,
  type OpenStackError,
} from '../../../src/openstack/index.ts';
import { loadFixture, replyFromFixture, startFakeCloud, type FakeCloud } from './helpers/fake-cloud.ts';

let fake: FakeCloud;
let client: OpenStackClient;

async function rejection(promise: Promise<unknown>): Promise<OpenStackError> {
  try {
    await promise;
  } catch (error) {
    return error as OpenStackError;
  }
  throw new Error('expected a rejection');
}

/** Serves the server list only for `validToken`; other tokens get keystonemiddleware's 401. */
function serversAcceptOnly(validToken: () => string): void {
  fake.routes.unshift({
    method: 'GET',
    path: '/compute/v2.1/servers/detail',
    handler: (request) =>
      request.headers['x-auth-token'] === validToken() ? replyFromFixture('compute-servers-detail-2.1') : replyFromFixture('compute-invalid-token-401'),
  });
}

beforeEach(async () => {
  fake = await startFakeCloud();
  client = createOpenStackClient(fake.cloud(), { retryPolicy: { BASE_DELAY_MS: 1, MAX_DELAY_MS: 2 } });
});

afterEach(async () => {
  client.close();
  await fake.close();
});

describe('catalog', () => {
  const catalog = parseCatalog((loadFixture('identity-token-password').response.body as { token: { catalog: unknown } }).token.catalog);

  it('picks the public compute endpoint of the region', () => {
    expect(selectEndpoint(catalog, { serviceType: 'compute', interface: 'public', regionName: 'RegionOne' })).toBe('{{origin}}/compute/v2.1');
  });

  it('finds Cinder by block-storage with the project id in the URL', () => {
    const url = selectEndpoint(catalog, { serviceType: 'block-storage', interface: 'internal', regionName: 'RegionOne' });

    expect(url).toMatch(/^\{\{origin\}\}\/volume\/v3\/[0-9a-f]{32}$/);
  });

  it('falls back to volumev3', () => {
    const onlyVolumev3: CatalogService[] = [{ type: 'volumev3', name: 'cinderv3', endpoints: [{ interface: 'public', region: 'RegionOne', url: 'http://x/v3/p' }] }];

    expect(selectEndpoint(onlyVolumev3, { serviceType: 'block-storage', interface: 'public' })).toBe('http://x/v3/p');
  });

  it('raises OS_ENDPOINT_NOT_FOUND for an unknown region', () => {
    let error: OpenStackError | undefined;
    try {
      selectEndpoint(catalog, { serviceType: 'compute', interface: 'public', regionName: 'RegionTwo' });
    } catch (caught) {
      error = caught as OpenStackError;
    }

    expect(error?.code).toBe(OPENSTACK_ERROR_CODES.OS_ENDPOINT_NOT_FOUND);
    expect(error?.message).toContain('RegionOne');
  });

  it('requires a region when several regions offer a service', () => {
    const twoRegions: CatalogService[] = [
      {
        type: 'compute',
        name: 'nova',
        endpoints: [
          { interface: 'public', region: 'RegionOne', url: 'http://one/v2.1' },
          { interface: 'public', region: 'RegionTwo', url: 'http://two/v2.1' },
        ],
      },
    ];

    expect(() => selectEndpoint(twoRegions, { serviceType: 'compute', interface: 'public' })).toThrow(/set region_name/);
    expect(selectEndpoint(twoRegions, { serviceType: 'compute', interface: 'public', regionName: 'RegionTwo' })).toBe('http://two/v2.1');
  });

  it('adds the API version to unversioned Neutron and Glance URLs', () => {
    expect(serviceBaseUrl('network', 'http://127.0.0.1:9696/')).toBe('http://127.0.0.1:9696/v2.0');
    expect(serviceBaseUrl('image', 'http://127.0.0.1:9292')).toBe('http://127.0.0.1:9292/v2');
    expect(serviceBaseUrl('image', 'http://host/image/v2')).toBe('http://host/image/v2');
    expect(serviceBaseUrl('compute', 'http://127.0.0.1:8774/v2.1/')).toBe('http://127.0.0.1:8774/v2.1');
  });
});

describe('keystone auth bodies', () => {
  it('scopes a password token to the project', () => {
    const body = buildAuthRequestBody(fake.cloud());

    expect(body).toEqual(loadFixture('identity-token-password').request.body);
  });

  it('sends an application credential without scope', () => {
    const body = buildAuthRequestBody(fake.cloud({ authType: 'v3applicationcredential', auth: { authUrl: 'http://x/v3', applicationCredentialId: 'ac1', applicationCredentialSecret: 's' } }));

    expect(body).toEqual({ auth: { identity: { methods: ['application_credential'], application_credential: { id: 'ac1', secret: 's' } } } });
  });

  it('names an application credential with its user', () => {
    const body = buildAuthRequestBody(
      fake.cloud({ authType: 'v3applicationcredential', auth: { authUrl: 'http://x/v3', applicationCredentialName: 'ci', applicationCredentialSecret: 's', username: 'u', userDomainId: 'default' } }),
    );

    expect(body).toEqual({
      auth: { identity: { methods: ['application_credential'], application_credential: { name: 'ci', secret: 's', user: { name: 'u', domain: { id: 'default' } } } } },
    });
  });

  it('exchanges a token for a project-scoped one', () => {
    const body = buildAuthRequestBody(fake.cloud({ authType: 'token', auth: { authUrl: 'http://x/v3', token: 'abc', projectId: 'p1' } }));

    expect(body).toEqual({ auth: { identity: { methods: ['token'], token: { id: 'abc' } }, scope: { project: { id: 'p1' } } } });
  });

  it('appends /v3 to an unversioned auth URL', () => {
    expect(identityV3Url('http://127.0.0.1:5000')).toBe('http://127.0.0.1:5000/v3');
    expect(identityV3Url('http://127.0.0.1:5000/v3/')).toBe('http://127.0.0.1:5000/v3');
  });
});

describe('token lifecycle', () => {
  it('reads the token, catalog, project and roles', async () => {
    const token = await client.token();

    expect(token.value).toBe('fake-token-1');
    expect(token.projectName).toBe('demo');
    expect(token.roles).toContain('member');
    expect(token.catalog.map((service) => service.type)).toEqual(expect.arrayContaining(['compute', 'image', 'network', 'block-storage', 'identity']));
  });

  it('rejects a token scoped to another project', async () => {
    // The fake cloud scopes every token to the demo project whatever the request names, as Keystone does for an application credential.
    const other = createOpenStackClient(fake.cloud({ auth: { authUrl: `${fake.origin}/identity/v3`, username: 'demo', password: 'p', userDomainName: 'Default', projectId: 'another-project' } }));
    try {
      const error = await rejection(other.token());

      expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_FORBIDDEN);
      expect(error.message).toContain('another-project');
    } finally {
      other.close();
    }
  });

  it('raises OS_UNAUTHORIZED for a wrong password', async () => {
    fake.routes.unshift({ method: 'POST', path: '/identity/v3/auth/tokens', handler: () => replyFromFixture('identity-token-wrong-password') });

    const error = await rejection(client.token());

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_UNAUTHORIZED);
    expect(error.status).toBe(401);
  });

  it('re-authenticates once on 401 and retries', async () => {
    serversAcceptOnly(() => 'fake-token-2');

    const servers = await listServers(client);

    expect(servers).toHaveLength(2);
    expect(fake.tokensIssued).toBe(2);
    expect(fake.requestsTo('GET', '/compute/v2.1/servers/detail').map((request) => request.headers['x-auth-token'])).toEqual(['fake-token-1', 'fake-token-2']);
  });

  it('gives up after one re-authentication', async () => {
    serversAcceptOnly(() => 'never-valid');

    const error = await rejection(listServers(client));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_UNAUTHORIZED);
    expect(fake.tokensIssued).toBe(2);
    expect(fake.requestsTo('GET', '/compute/v2.1/servers/detail')).toHaveLength(2);
  });

  it('shares one re-authentication among concurrent callers', async () => {
    await client.token();
    serversAcceptOnly(() => 'fake-token-2');

    const results = await Promise.all(Array.from({ length: 8 }, () => listServers(client)));

    expect(results.every((servers) => servers.length === 2)).toBe(true);
    expect(fake.tokensIssued).toBe(2);
  });

  it('shares the first authentication among concurrent callers', async () => {
    await Promise.all(Array.from({ length: 5 }, () => client.token()));

    expect(fake.tokensIssued).toBe(1);
  });

  it('re-authenticates before expiry', async () => {
    let nowMs = Date.now();
    const clock = createOpenStackClient(fake.cloud(), { now: () => nowMs, tokenRefreshMarginMs: 5 * 60_000 });

    const first = await clock.token();
    nowMs += 50 * 60_000;
    const stillFirst = await clock.token();
    nowMs += 6 * 60_000;
    const second = await clock.token();
    clock.close();

    expect(stillFirst.value).toBe(first.value);
    expect(second.value).not.toBe(first.value);
    expect(fake.tokensIssued).toBe(2);
  });

  it('limits the margin to half of a short token life', async () => {
    fake.tokenLifetimeMs = 180_000;
    let nowMs = Date.now();
    const clock = createOpenStackClient(fake.cloud(), { now: () => nowMs });

    await clock.token();
    nowMs += 60_000;
    await clock.token();
    const afterOneMinute = fake.tokensIssued;
    nowMs += 40_000;
    await clock.token();
    clock.close();

    expect(afterOneMinute).toBe(1);
    expect(fake.tokensIssued).toBe(2);
  });

  it('retries a failed authentication on the next call', async () => {
    fake.routes.unshift({ method: 'POST', path: '/identity/v3/auth/tokens', handler: () => replyFromFixture('identity-token-wrong-password') });

    const first = await rejection(client.token());
    fake.routes.shift();
    const token = await client.token();

    expect(first.code).toBe(OPENSTACK_ERROR_CODES.OS_UNAUTHORIZED);
    expect(token.value).toBe('fake-token-1');
  });
});
