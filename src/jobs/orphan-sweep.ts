import { sharedCloudClients, type CloudClients } from '../services/cloud/cloud-clients.ts';
import { countOpenOrphans } from '../services/sync/orphan-records.ts';
import { sweepOrphans } from '../services/sync/orphan-sweep.ts';
import { describeOpenStackError, isTransientOpenStackError } from '../services/vms/openstack-failure.ts';
import type { JobDefinition } from './job-definitions.ts';
import { recordOpenOrphans } from './orphan-metrics.ts';

/**
 * Builds the job that runs one orphan sweep with the default grace period and create deadline.
 * A thrown OpenStack error makes pg-boss retry it; the sweep itself never marks a VM as failed
 * because of its own failure.
 */
export function createOrphanSweepJob(clouds: () => CloudClients = sharedCloudClients): JobDefinition {
  return {
    name: 'orphan-sweep',
    // Every 10 minutes, so a failed create's server is deleted at most 10 minutes after its 15-minute grace period.
    cron: '*/10 * * * *',
    timeZone: 'UTC',
    expireInSeconds: 8 * 60,
    retryLimit: 3,
    retryDelaySeconds: 30,
    // Runs at once are safe, but a second one would only repeat the listing.
    policy: 'singleton',
    async handle(_payload, { database, logger, queue }) {
      let counts;
      try {
        counts = await sweepOrphans({ database, clouds: clouds(), logger, ...(queue ? { queue } : {}) }, { now: new Date() });
      } catch (error) {
        const fields = { reason: describeOpenStackError(error) };
        if (isTransientOpenStackError(error)) logger.warn(fields, 'orphan-sweep failed on a transient OpenStack error');
        else logger.error(fields, 'orphan-sweep failed');
        throw error;
      }

      // After a failed run the gauge keeps the last successful count.
      recordOpenOrphans(await countOpenOrphans(database.db));
      return { ...counts };
    },
  };
}

export const orphanSweepJob = createOrphanSweepJob();
