/**
 * Calendar days in an IANA time zone and their UTC bounds, computed with `Intl.DateTimeFormat`
 * so any zone works, including zones with daylight saving time.
 *
 * A day is a string `YYYY-MM-DD`. Functions throw RangeError for a malformed day or an unknown
 * time zone, because both are configuration or caller bugs. Use `isCalendarDay` to check input.
 */

export const DEFAULT_BILLING_TIME_ZONE = 'Asia/Shanghai';

export interface DayBounds {
  /** First instant of the local day, inclusive. */
  start: Date;
  /** First instant of the next local day, exclusive. */
  end: Date;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when the value is `YYYY-MM-DD` and names a real date (no 2026-02-30). */
export function isCalendarDay(value: string): boolean {
  return parseDay(value) !== null;
}

/**
 * Returns the UTC bounds [start, end) of a local day. In Asia/Shanghai (UTC+8, no daylight
 * saving time) 2026-12-04 runs from 2026-12-03T16:00:00Z to 2026-12-04T16:00:00Z. A day with a
 * daylight saving change lasts 23 or 25 hours.
 */
export function localDayBounds(day: string, timeZone: string = DEFAULT_BILLING_TIME_ZONE): DayBounds {
  const start = startOfLocalDay(day, timeZone);
  const end = startOfLocalDay(addDays(day, 1), timeZone);

  return { start: new Date(start), end: new Date(end) };
}

/** Returns the local calendar day that contains the instant. */
export function localDateOf(instant: Date, timeZone: string = DEFAULT_BILLING_TIME_ZONE): string {
  const parts = localParts(instant.getTime(), timeZone);
  return formatDay(parts.year, parts.month, parts.day);
}

/**
 * Returns the local day before the one that contains `runAt`, which is the day a daily billing
 * run settles. A run at 00:10 in Shanghai on 2026-12-04 happens at 2026-12-03T16:10Z and
 * settles 2026-12-03.
 */
export function previousLocalDay(runAt: Date, timeZone: string = DEFAULT_BILLING_TIME_ZONE): string {
  return addDays(localDateOf(runAt, timeZone), -1);
}

/** Adds whole calendar days to a `YYYY-MM-DD` day. */
export function addDays(day: string, days: number): string {
  const parsed = requireDay(day);
  const shifted = new Date(Date.UTC(parsed.year, parsed.month - 1, parsed.day + days));

  return formatDay(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

/**
 * Returns the first UTC millisecond whose local date is `day`.
 *
 * Local midnight minus the zone offset is the result, but the offset itself depends on the
 * instant. The candidates use the offsets in force a day before, at, and a day after the naive
 * midnight, and the earliest candidate that falls on `day` wins. When midnight falls in a
 * daylight saving gap, that candidate is the moment of the change, the first instant of the day.
 */
function startOfLocalDay(day: string, timeZone: string): number {
  const parsed = requireDay(day);
  const naiveMidnight = Date.UTC(parsed.year, parsed.month - 1, parsed.day);

  const offsets = new Set(
    [naiveMidnight - MS_PER_DAY, naiveMidnight, naiveMidnight + MS_PER_DAY].map((instant) =>
      zoneOffsetMs(instant, timeZone),
    ),
  );

  const onDay = [...offsets]
    .map((offset) => naiveMidnight - offset)
    .filter((candidate) => localDateOf(new Date(candidate), timeZone) === day);

  if (onDay.length === 0) {
    // Only a zone that skipped a whole calendar day gets here, such as Pacific/Apia on
    // 2011-12-30. That day has no instants, so its range is empty at the next day's start.
    return startOfLocalDay(addDays(day, 1), timeZone);
  }

  return Math.min(...onDay);
}

/** Returns local time minus UTC, in milliseconds, at the instant. */
function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = localParts(instant, timeZone);
  const localAsUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const wholeSeconds = Math.floor(instant / 1000) * 1000;

  return localAsUtc - wholeSeconds;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(instant: number, timeZone: string): LocalParts {
  const values: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') {
      values[part.type] = Number(part.value);
    }
  }

  return {
    year: values.year ?? Number.NaN,
    month: values.month ?? Number.NaN,
    day: values.day ?? Number.NaN,
    hour: values.hour ?? Number.NaN,
    minute: values.minute ?? Number.NaN,
    second: values.second ?? Number.NaN,
  };
}

/** Caches one formatter per zone, because constructing Intl.DateTimeFormat is slow compared with formatting. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function parseDay(value: string): { year: number; month: number; day: number } | null {
  const match = DAY_PATTERN.exec(value);
  if (match === null) {
    return null;
  }

  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);

  const date = new Date(Date.UTC(year, month - 1, day));
  const isRealDate = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return isRealDate ? { year, month, day } : null;
}

function requireDay(value: string): { year: number; month: number; day: number } {
  const parsed = parseDay(value);
  if (parsed === null) {
    throw new RangeError(`Invalid calendar day "${value}": expected an existing date as YYYY-MM-DD`);
  }
  return parsed;
}

function formatDay(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
