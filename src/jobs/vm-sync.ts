import { sharedCloudClients, type CloudClients } from '../services/cloud/cloud-clients.ts';
import { syncVms, type SyncMode } from '../services/sync/vm-sync.ts';
import { describeOpenStackError, isTransientOpenStackError } from '../services/vms/openstack-failure.ts';
import type { JobDefinition } from './job-definitions.ts';

interface VmSyncSchedule {
  name: 'vm-sync-incremental' | 'vm-sync-full';
  mode: SyncMode;
  cron: string;
  /** Seconds before pg-boss fails a stuck run and retries it. */
  expireInSeconds: number;
}

/** Builds the job that runs one vm-sync pass; a thrown OpenStack error makes pg-boss retry it. */
function createVmSyncJob(schedule: VmSyncSchedule, clouds: () => CloudClients): JobDefinition {
  return {
    name: schedule.name,
    cron: schedule.cron,
    timeZone: 'UTC',
    expireInSeconds: schedule.expireInSeconds,
    retryLimit: 3,
    retryDelaySeconds: 15,
    // Two passes at once would each record the same transition, so one runs at a time.
    policy: 'singleton',
    async handle(_payload, { database, logger }) {
      try {
        const counts = await syncVms({ database, clouds: clouds(), logger }, { mode: schedule.mode, now: new Date() });
        return { ...counts };
      } catch (error) {
        const fields = { reason: describeOpenStackError(error) };
        if (isTransientOpenStackError(error)) logger.warn(fields, 'vm-sync failed on a transient OpenStack error');
        else logger.error(fields, 'vm-sync failed');
        throw error;
      }
    },
  };
}

export function createVmSyncJobs(clouds: () => CloudClients = sharedCloudClients): JobDefinition[] {
  return [
    // Every minute; Nova changes-since keeps each run small.
    createVmSyncJob({ name: 'vm-sync-incremental', mode: 'incremental', cron: '* * * * *', expireInSeconds: 2 * 60 }, clouds),
    // Every 30 minutes; catches what changes-since cannot show, such as servers purged from Nova.
    createVmSyncJob({ name: 'vm-sync-full', mode: 'full', cron: '*/30 * * * *', expireInSeconds: 25 * 60 }, clouds),
  ];
}

export const vmSyncJobs: readonly JobDefinition[] = createVmSyncJobs();
