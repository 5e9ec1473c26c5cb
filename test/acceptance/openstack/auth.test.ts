import { afterEach, describe, expect, it } from 'vitest';

import {
  OPENSTACK_ERROR_CODES,
  createOpenStackClient,
  listFlavors,
  listServers,
  loadCloudConfig,
  type OpenStackClient,
} from '../../../src/openstack/index.ts';
import { cloudConfigured, memberCloud, suiteTitle, uniqueName, rejection } from './cloud.ts';

describe.skipIf(!cloudConfigured)(suiteTitle('OpenStack authentication on a real cloud'), () => {
  const clients: OpenStackClient[] = [];

  function track(client: OpenStackClient): OpenStackClient {
    clients.push(client);
    return client;
  }

  afterEach(() => {
    for (const client of clients.splice(0)) {
      client.close();
    }
  });

  it('loads the cloud named by OS_CLOUD', async () => {
    const cloud = loadCloudConfig({ env: { OS_CLOUD: process.env['TEST_OS_CLOUD'], OS_CLIENT_CONFIG_FILE: process.env['OS_CLIENT_CONFIG_FILE'] } });
    const client = track(createOpenStackClient(cloud));

    const token = await client.token();

    expect(cloud.name).toBe(process.env['TEST_OS_CLOUD']);
    expect(token.projectName).toBe(cloud.auth.projectName);
    expect(token.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('authenticates from OS_* variables', async () => {
    const file = memberCloud();
    const env = {
      OS_AUTH_URL: file.auth.authUrl,
      OS_USERNAME: file.auth.username,
      OS_PASSWORD: file.auth.password,
      OS_PROJECT_NAME: file.auth.projectName,
      OS_USER_DOMAIN_NAME: file.auth.userDomainName,
      OS_PROJECT_DOMAIN_NAME: file.auth.projectDomainName,
      OS_REGION_NAME: file.regionName,
      OS_INTERFACE: 'internal',
    };
    const client = track(createOpenStackClient(loadCloudConfig({ env, searchDirs: [] })));

    const flavors = await listFlavors(client);

    expect(flavors.length).toBeGreaterThan(0);
    expect(await client.endpoint('compute')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\.1$/);
  });

  it('exchanges a token with auth_type token', async () => {
    const password = track(createOpenStackClient(memberCloud()));
    const existing = await password.token();
    const cloud = memberCloud();
    const tokenCloud = { ...cloud, authType: 'token' as const, auth: { authUrl: cloud.auth.authUrl, token: existing.value, projectId: existing.projectId ?? '' } };
    const client = track(createOpenStackClient(tokenCloud));

    const token = await client.token();

    expect(token.value).not.toBe(existing.value);
    expect(token.projectId).toBe(existing.projectId);
  });

  it('authenticates with an application credential', async () => {
    const password = track(createOpenStackClient(memberCloud()));
    const owner = await password.token();
    const created = await password.request({
      service: 'identity',
      method: 'POST',
      path: `/users/${owner.userId ?? ''}/application_credentials`,
      json: { application_credential: { name: uniqueName('appcred'), expires_at: new Date(Date.now() + 3600_000).toISOString() } },
    });
    const credential = (created.body as { application_credential: { id: string; secret: string } }).application_credential;

    try {
      const cloud = memberCloud();
      const client = track(
        createOpenStackClient({
          ...cloud,
          authType: 'v3applicationcredential',
          auth: { authUrl: cloud.auth.authUrl, applicationCredentialId: credential.id, applicationCredentialSecret: credential.secret },
        }),
      );
      const token = await client.token();
      const flavors = await listFlavors(client);

      expect(token.projectId).toBe(owner.projectId);
      expect(flavors.length).toBeGreaterThan(0);
    } finally {
      await password.request({ service: 'identity', method: 'DELETE', path: `/users/${owner.userId ?? ''}/application_credentials/${credential.id}` });
    }
  });

  it('rejects a wrong password with OS_UNAUTHORIZED', async () => {
    const cloud = memberCloud();
    const client = track(createOpenStackClient({ ...cloud, auth: { ...cloud.auth, password: 'wrong-password' } }));

    const error = await rejection(client.token());

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_UNAUTHORIZED);
    expect(error.status).toBe(401);
    expect(error.url).toMatch(/\/v3\/auth\/tokens$/);
  });

  it('re-authenticates once after the token is revoked', async () => {
    const client = track(createOpenStackClient(memberCloud()));
    const first = await client.token();

    await client.revokeCurrentToken();
    const servers = await listServers(client, { limit: 1 });
    const second = await client.token();

    expect(Array.isArray(servers)).toBe(true);
    expect(second.value).not.toBe(first.value);
    expect(client.tokens.authenticationCount).toBe(2);
  });

  it('shares one re-authentication among concurrent requests', async () => {
    const client = track(createOpenStackClient(memberCloud()));
    await client.token();

    await client.revokeCurrentToken();
    const results = await Promise.all(Array.from({ length: 6 }, () => listFlavors(client)));

    expect(results.every((flavors) => flavors.length > 0)).toBe(true);
    expect(client.tokens.authenticationCount).toBe(2);
  });

  it('re-authenticates before expiry', async () => {
    let offsetMs = 0;
    const client = track(createOpenStackClient(memberCloud(), { now: () => Date.now() + offsetMs }));
    const first = await client.token();

    offsetMs = first.expiresAt.getTime() - Date.now() - 1_000;
    const second = await client.token();

    expect(second.value).not.toBe(first.value);
    expect(client.tokens.authenticationCount).toBe(2);
  });
});
