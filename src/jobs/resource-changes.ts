import { detectResourceChanges } from '../services/resources/resource-changes.ts';
import type { JobDefinition } from './job-definitions.ts';

/**
 * Writes adjustment rows for VM resizes and ordered-capacity changes every minute, right behind
 * vm-sync, which is what brings a resize done outside the portal into the VM rows. It reads only
 * the database, so it has no OpenStack failure to retry.
 */
export const resourceChangesJob: JobDefinition = {
  name: 'resource-changes',
  cron: '* * * * *',
  timeZone: 'UTC',
  expireInSeconds: 5 * 60,
  retryLimit: 3,
  retryDelaySeconds: 15,
  // The statements already write each change once under concurrency; one run at a time keeps runs cheap.
  policy: 'singleton',
  async handle(_payload, { database, logger }) {
    const counts = await detectResourceChanges(database);
    if (counts.adjustmentsWritten > 0) logger.info({ ...counts }, 'resource changes recorded');
    return { ...counts };
  },
};
