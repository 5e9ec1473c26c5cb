import type { SyncMode } from '../services/sync/vm-sync.ts';
import type { JobDefinition } from './job-definitions.ts';
import { orphanSweepJob } from './orphan-sweep.ts';
import { resourceChangesJob } from './resource-changes.ts';
import { vmSyncJobs } from './vm-sync.ts';

/**
 * Returns the jobs that `tenant-portal sync --once` runs, in order. The vm-sync pass of the given
 * mode copies Nova's state into the VM rows. orphan-sweep then links or reports the servers that
 * no VM owns, and resource-changes turns size changes into adjustment rows.
 */
export function syncOnceJobs(mode: SyncMode): JobDefinition[] {
  const vmSync = vmSyncJobs.find((job) => job.name === `vm-sync-${mode}`);
  if (vmSync === undefined) throw new Error(`no vm-sync job for mode ${mode}; expected vm-sync-incremental or vm-sync-full in vmSyncJobs`);
  return [vmSync, orphanSweepJob, resourceChangesJob];
}
