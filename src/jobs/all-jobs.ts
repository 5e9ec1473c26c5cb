import { billingDailyJob } from './billing-daily.ts';
import type { JobDefinition } from './job-definitions.ts';
import { operationWatchJob } from './operation-watch.ts';
import { sessionCleanupJob } from './session-cleanup.ts';

/** Every job the worker runs. Later jobs (vm-sync, billing-daily, ...) are added here. */
export const ALL_JOBS: readonly JobDefinition[] = [sessionCleanupJob, billingDailyJob, operationWatchJob as JobDefinition];
