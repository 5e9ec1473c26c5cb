import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  OPENSTACK_ERROR_CODES,
  createOpenStackClient,
  createServer,
  getComputeLimits,
  getComputeQuotas,
  updateComputeQuotas,
  type OpenStackClient,
} from '../../../src/openstack/index.ts';
import { adminClient, adminCloud, cloudConfigured, demoResources, memberClient, suiteTitle, uniqueName, type DemoResources, rejection } from './cloud.ts';

describe.skipIf(!cloudConfigured)(suiteTitle('OpenStack quotas on a real cloud'), () => {
  let admin: OpenStackClient;
  let member: OpenStackClient;
  let scoped: OpenStackClient | undefined;
  let demo: DemoResources;
  let projectId: string | undefined;

  beforeAll(async () => {
    admin = adminClient();
    member = memberClient();
    demo = await demoResources(member);

    // A temporary project with zero quotas, so the test never depends on how full the shared demo project is.
    const created = await admin.request({ service: 'identity', method: 'POST', path: '/projects', json: { project: { name: uniqueName('quota'), domain_id: 'default' } } });
    projectId = (created.body as { project: { id: string } }).project.id;

    const roles = await admin.request({ service: 'identity', method: 'GET', path: '/roles', query: { name: 'member' } });
    const roleId = (roles.body as { roles: Array<{ id: string }> }).roles[0]?.id ?? '';
    const adminToken = await admin.token();
    await admin.request({ service: 'identity', method: 'PUT', path: `/projects/${projectId}/users/${adminToken.userId ?? ''}/roles/${roleId}` });

    const cloud = adminCloud();
    scoped = createOpenStackClient({ ...cloud, auth: { ...cloud.auth, projectId, projectName: undefined, projectDomainName: undefined, projectDomainId: undefined } });
  });

  afterAll(async () => {
    scoped?.close();
    if (projectId !== undefined) {
      // Nova and Neutron keep quota rows of deleted projects, so they are removed first.
      await admin.request({ service: 'compute', method: 'DELETE', path: `/os-quota-sets/${projectId}` });
      await admin.request({ service: 'network', method: 'DELETE', path: `/quotas/${projectId}` });
      await admin.request({ service: 'identity', method: 'DELETE', path: `/projects/${projectId}` });
    }
    admin?.close();
    member?.close();
  });

  it('reads the member quota and limits', async () => {
    const token = await member.token();
    const quotas = await getComputeQuotas(member, token.projectId ?? '');
    const limits = await getComputeLimits(member);

    expect(quotas.instances).toBeGreaterThan(0);
    expect(limits.maxTotalInstances).toBe(quotas.instances);
    expect(limits.maxTotalRAMSizeMiB).toBe(quotas.ramMiB);
  });

  it('refuses a quota update by a member', async () => {
    const token = await member.token();

    const error = await rejection(updateComputeQuotas(member, token.projectId ?? '', { instances: 100 }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_FORBIDDEN);
  });

  it('maps Nova instance quota to OS_QUOTA_EXCEEDED', async () => {
    const updated = await updateComputeQuotas(admin, projectId ?? '', { instances: 0 });

    const error = await rejection(createServer(scoped as OpenStackClient, { name: uniqueName('over-quota'), flavorId: demo.flavorId, imageId: demo.imageId, networks: 'none' }));

    expect(updated.instances).toBe(0);
    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_QUOTA_EXCEEDED);
    expect(error.status).toBe(403);
    expect(error.openstackMessage).toMatch(/^Quota exceeded for instances/);
  });

  it('maps Neutron OverQuota to OS_QUOTA_EXCEEDED', async () => {
    await admin.request({ service: 'network', method: 'PUT', path: `/quotas/${projectId ?? ''}`, json: { quota: { network: 0 } } });

    const error = await rejection((scoped as OpenStackClient).request({ service: 'network', method: 'POST', path: '/networks', json: { network: { name: uniqueName('over-quota') } } }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_QUOTA_EXCEEDED);
    expect(error.status).toBe(409);
    expect(error.openstackType).toBe('OverQuota');
  });
});
