import type { Db } from '../../db/database.ts';
import { addDays, localDateOf, previousLocalDay } from '../../domain/local-day.ts';
import { billDay, type BillDayResult } from './bill-day.ts';

/** Days a daily run looks back, the previous day included, so a worker outage up to this long loses no day. */
export const CATCH_UP_DAYS = 31;

export interface BillPendingDaysResult {
  /** The day before `runAt`, the newest day the run bills. */
  lastDay: string;
  /** Every day the run billed, oldest first. Days before the first system existed are skipped. */
  days: BillDayResult[];
  written: number;
}

/**
 * Bills the local day before `runAt` and every earlier day of the last CATCH_UP_DAYS days,
 * starting no earlier than the day the first information system was created. Each day is one
 * idempotent statement, so days and systems that already have records get no second one.
 */
export async function billPendingDays(db: Db, runAt: Date, timeZone: string): Promise<BillPendingDaysResult> {
  const lastDay = previousLocalDay(runAt, timeZone);
  const windowStart = addDays(lastDay, -(CATCH_UP_DAYS - 1));

  const earliest = await db
    .selectFrom('information_systems')
    .select((eb) => eb.fn.min<Date>('created_at').as('first_created_at'))
    .executeTakeFirst();

  const firstCreatedAt = earliest?.first_created_at ?? null;
  if (firstCreatedAt === null) {
    return { lastDay, days: [], written: 0 };
  }

  // `YYYY-MM-DD` strings compare in calendar order.
  const firstSystemDay = localDateOf(new Date(firstCreatedAt), timeZone);
  const firstDay = firstSystemDay > windowStart ? firstSystemDay : windowStart;

  const days: BillDayResult[] = [];
  for (let day = firstDay, step = 0; day <= lastDay && step < CATCH_UP_DAYS; day = addDays(day, 1), step += 1) {
    days.push(await billDay(db, day, timeZone));
  }

  return { lastDay, days, written: days.reduce((total, result) => total + result.written, 0) };
}
