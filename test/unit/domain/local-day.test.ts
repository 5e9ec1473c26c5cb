import { describe, expect, it } from 'vitest';

import {
  addDays,
  isCalendarDay,
  localDateOf,
  localDayBounds,
  previousLocalDay,
} from '../../../src/domain/local-day.ts';

const HOUR_MS = 3_600_000;

function hoursIn(bounds: { start: Date; end: Date }): number {
  return (bounds.end.getTime() - bounds.start.getTime()) / HOUR_MS;
}

describe('localDayBounds', () => {
  it('computes Shanghai day in UTC', () => {
    const bounds = localDayBounds('2026-12-04', 'Asia/Shanghai');

    expect(bounds.start.toISOString()).toBe('2026-12-03T16:00:00.000Z');
    expect(bounds.end.toISOString()).toBe('2026-12-04T16:00:00.000Z');
  });

  it('defaults to Asia/Shanghai', () => {
    expect(localDayBounds('2026-12-04')).toEqual(localDayBounds('2026-12-04', 'Asia/Shanghai'));
  });

  it('computes UTC day', () => {
    const bounds = localDayBounds('2026-12-04', 'UTC');

    expect(bounds.start.toISOString()).toBe('2026-12-04T00:00:00.000Z');
    expect(bounds.end.toISOString()).toBe('2026-12-05T00:00:00.000Z');
  });

  it('gives Berlin spring-forward day 23 hours', () => {
    const bounds = localDayBounds('2026-03-29', 'Europe/Berlin');

    expect(bounds.start.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(bounds.end.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(hoursIn(bounds)).toBe(23);
  });

  it('gives Berlin fall-back day 25 hours', () => {
    const bounds = localDayBounds('2026-10-25', 'Europe/Berlin');

    expect(bounds.start.toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(hoursIn(bounds)).toBe(25);
  });

  it('starts day at change when midnight is skipped', () => {
    // Havana moves clocks from 00:00 to 01:00 on 2026-03-08, so the day starts at 01:00 CDT.
    const bounds = localDayBounds('2026-03-08', 'America/Havana');

    expect(bounds.start.toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(hoursIn(bounds)).toBe(23);
  });

  it('starts day after repeated hour at midnight', () => {
    // Santiago moves clocks from 24:00 back to 23:00 on 2026-04-04, so that day has 25 hours.
    const bounds = localDayBounds('2026-04-04', 'America/Santiago');

    expect(bounds.end.toISOString()).toBe('2026-04-05T04:00:00.000Z');
    expect(hoursIn(bounds)).toBe(25);
  });

  it('gives a skipped day an empty range', () => {
    const bounds = localDayBounds('2011-12-30', 'Pacific/Apia');

    expect(hoursIn(bounds)).toBe(0);
  });

  it('handles year end', () => {
    const bounds = localDayBounds('2026-12-31', 'Asia/Shanghai');

    expect(bounds.end.toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  it.each(['2026-02-30', '2026-13-01', '2026-1-01', 'yesterday', ''])('rejects day %j', (day) => {
    expect(() => localDayBounds(day, 'UTC')).toThrow(RangeError);
  });

  it('rejects unknown time zone', () => {
    expect(() => localDayBounds('2026-12-04', 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('previousLocalDay', () => {
  it('settles yesterday for a 00:10 Shanghai run', () => {
    const runAt = new Date('2026-12-03T16:10:00Z');

    expect(localDateOf(runAt, 'Asia/Shanghai')).toBe('2026-12-04');
    expect(previousLocalDay(runAt, 'Asia/Shanghai')).toBe('2026-12-03');
  });

  it('uses the zone date, not the UTC date', () => {
    const runAt = new Date('2026-12-04T15:59:59Z');

    expect(previousLocalDay(runAt, 'Asia/Shanghai')).toBe('2026-12-03');
    expect(previousLocalDay(runAt, 'UTC')).toBe('2026-12-03');
  });

  it('crosses month and year', () => {
    expect(previousLocalDay(new Date('2026-12-31T16:10:00Z'), 'Asia/Shanghai')).toBe('2026-12-31');
    expect(previousLocalDay(new Date('2027-01-01T00:10:00Z'), 'UTC')).toBe('2026-12-31');
  });
});

describe('calendar day helpers', () => {
  it('adds days across leap day', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
  });

  it.each([
    ['2026-12-04', true],
    ['2028-02-29', true],
    ['2027-02-29', false],
    ['2026-00-10', false],
    ['20261204', false],
  ])('isCalendarDay(%j) is %s', (value, expected) => {
    expect(isCalendarDay(value)).toBe(expected);
  });
});
