import { describe, expect, it } from 'vitest';
import { cloudReadinessCheck } from '../../../src/cloud-readiness.ts';
import { cloudConfigured, suiteTitle } from '../openstack/cloud.ts';

describe.skipIf(!cloudConfigured)(suiteTitle('cloud readiness against a real cloud'), () => {
  it('reports ready for a reachable cloud', async () => {
    expect(await cloudReadinessCheck(process.env.TEST_OS_CLOUD ?? '').check()).toBe(true);
  });

  it('fails for a cloud name missing from clouds.yaml', async () => {
    await expect(cloudReadinessCheck('no-such-cloud').check()).rejects.toThrow();
  });
});
