import { billingDailyJob } from './billing-daily.ts';
import type { JobDefinition } from './job-definitions.ts';
import { operationWatchJob } from './operation-watch.ts';
import { orphanSweepJob } from './orphan-sweep.ts';
import { resourceChangesJob } from './resource-changes.ts';
import { sessionCleanupJob } from './session-cleanup.ts';
import { vmSyncJobs } from './vm-sync.ts';

/** Every job the worker runs. */
export const ALL_JOBS: readonly JobDefinition[] = [sessionCleanupJob, billingDailyJob, operationWatchJob as JobDefinition, ...vmSyncJobs, resourceChangesJob, orphanSweepJob];
