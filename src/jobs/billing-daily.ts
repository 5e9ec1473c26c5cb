import { loadConfig } from '../config.ts';
import { billPendingDays } from '../services/billing/bill-pending-days.ts';
import type { JobDefinition } from './job-definitions.ts';

/**
 * Returns the billing time zone from BILLING_TIMEZONE (default Asia/Shanghai). It is read when
 * the worker registers the schedule and again on each run, because ALL_JOBS is a constant list
 * that carries no configuration.
 */
function billingTimeZone(): string {
  return loadConfig().billingTimeZone;
}

/**
 * Bills the previous local day at 00:10 in the billing time zone, and any earlier day of the
 * last 31 that a missed run left unbilled. Safe to run twice or concurrently, because every
 * record is inserted with ON CONFLICT (system_id, bill_date) DO NOTHING.
 */
export const billingDailyJob: JobDefinition = {
  name: 'billing-daily',
  cron: '10 0 * * *',
  get timeZone(): string {
    return billingTimeZone();
  },
  expireInSeconds: 1800,
  retryLimit: 5,
  retryDelaySeconds: 60,
  async handle(_payload, { database, logger }) {
    const timeZone = billingTimeZone();
    const result = await billPendingDays(database.db, new Date(), timeZone);

    for (const day of result.days.filter((billed) => billed.written > 0)) {
      logger.info({ day: day.day, timeZone, written: day.written, alreadyPresent: day.alreadyPresent }, 'billing day written');
    }

    return { daysChecked: result.days.length, recordsWritten: result.written };
  },
};
