import { isCalendarDay, localDayBounds } from '../../domain/local-day.ts';

/** Returns true when `timeZone` is an IANA zone name that this Node.js build supports. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a day requested for manual billing and returns why it cannot be billed, or null.
 * A day is billable once it has ended in `timeZone`, because a record is never rewritten and a
 * record for an unfinished day would miss the rest of that day's usage.
 */
export function billDayProblem(day: string, timeZone: string, now: Date): string | null {
  if (!isCalendarDay(day)) {
    return `Invalid date "${day}": expected an existing date as YYYY-MM-DD, such as 2026-12-03.`;
  }
  if (!isKnownTimeZone(timeZone)) {
    return `Unknown time zone "${timeZone}": use an IANA name such as Asia/Shanghai.`;
  }

  const { end } = localDayBounds(day, timeZone);
  if (end.getTime() > now.getTime()) {
    return `Day ${day} has not ended yet in ${timeZone} (it ends at ${end.toISOString()}); bill it after that.`;
  }
  return null;
}
