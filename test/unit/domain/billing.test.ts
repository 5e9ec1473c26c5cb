import { describe, expect, it } from 'vitest';

import type { PricePlan, UsageInterval } from '../../../src/domain/billing.ts';
import {
  chargeDay,
  chargePrepaidDay,
  chargeUsageDay,
  computeDayUsage,
  divideRoundHalfUp,
} from '../../../src/domain/billing.ts';

const DAY = '2026-12-04';
const DAY_START = '2026-12-03T16:00:00Z';
const DAY_END = '2026-12-04T16:00:00Z';

function interval(start: string, end: string | null, extra: Partial<UsageInterval> = {}): UsageInterval {
  return {
    start: new Date(start),
    end: end === null ? null : new Date(end),
    vcpus: 2,
    memoryGiB: 4,
    storageGiB: 50,
    shelvedOffloaded: false,
    ...extra,
  };
}

const USAGE_PLAN: Extract<PricePlan, { mode: 'usage' }> = {
  mode: 'usage',
  coreHourFen: 5,
  memoryGiBHourFen: 2,
  storageGiBHourFen: 1,
};

describe('computeDayUsage', () => {
  it('counts a full Shanghai day', () => {
    const usage = computeDayUsage([interval('2026-11-01T00:00:00Z', null)], DAY);

    expect(usage.start.toISOString()).toBe('2026-12-03T16:00:00.000Z');
    expect(usage.end.toISOString()).toBe('2026-12-04T16:00:00.000Z');
    expect(usage.coreHours).toBe(48);
    expect(usage.memoryGiBHours).toBe(96);
    expect(usage.storageGiBHours).toBe(1200);
  });

  it('clips intervals to the day', () => {
    const intervals = [
      interval('2026-12-03T10:00:00Z', '2026-12-03T22:00:00Z'),
      interval('2026-12-04T13:30:00Z', '2026-12-05T03:00:00Z'),
    ];

    const usage = computeDayUsage(intervals, DAY);

    // 6 hours from the first interval and 2.5 hours from the second, each at 2 cores.
    expect(usage.coreHours).toBe(17);
    expect(usage.coreMilliseconds).toBe(17 * 3_600_000);
  });

  it('ignores intervals outside the day', () => {
    const intervals = [
      interval('2026-12-01T00:00:00Z', DAY_START),
      interval(DAY_END, null),
    ];

    const usage = computeDayUsage(intervals, DAY);

    expect(usage.coreHours).toBe(0);
    expect(usage.storageGiBHours).toBe(0);
  });

  it('counts storage only when shelved offloaded', () => {
    const usage = computeDayUsage([interval(DAY_START, DAY_END, { shelvedOffloaded: true })], DAY);

    expect(usage.coreHours).toBe(0);
    expect(usage.memoryGiBHours).toBe(0);
    expect(usage.storageGiBHours).toBe(1200);
  });

  it('sums resize intervals separately', () => {
    const resizeAt = '2026-12-04T04:00:00Z';
    const intervals = [
      interval(DAY_START, resizeAt, { vcpus: 2, memoryGiB: 4 }),
      interval(resizeAt, null, { vcpus: 4, memoryGiB: 8 }),
    ];

    const usage = computeDayUsage(intervals, DAY);

    expect(usage.coreHours).toBe(2 * 12 + 4 * 12);
    expect(usage.memoryGiBHours).toBe(4 * 12 + 8 * 12);
    expect(usage.storageGiBHours).toBe(50 * 24);
  });

  it('ends open intervals at asOf', () => {
    const usage = computeDayUsage([interval(DAY_START, null)], DAY, 'Asia/Shanghai', new Date('2026-12-03T19:00:00Z'));

    expect(usage.coreHours).toBe(6);
  });

  it('ignores asOf after the day end', () => {
    const usage = computeDayUsage([interval(DAY_START, null)], DAY, 'Asia/Shanghai', new Date('2026-12-10T00:00:00Z'));

    expect(usage.coreHours).toBe(48);
  });

  it('counts an inverted interval as zero', () => {
    const usage = computeDayUsage([interval('2026-12-04T05:00:00Z', '2026-12-04T01:00:00Z')], DAY);

    expect(usage.coreHours).toBe(0);
  });

  it('uses 23 hours on Berlin spring-forward day', () => {
    const usage = computeDayUsage([interval('2026-03-01T00:00:00Z', null, { vcpus: 1 })], '2026-03-29', 'Europe/Berlin');

    expect(usage.coreHours).toBe(23);
  });

  it('uses UTC bounds for UTC', () => {
    const usage = computeDayUsage([interval('2026-12-04T00:00:00Z', '2026-12-04T06:00:00Z', { vcpus: 1 })], DAY, 'UTC');

    expect(usage.coreHours).toBe(6);
  });
});

describe('chargeUsageDay', () => {
  it('prices a full day', () => {
    const usage = computeDayUsage([interval(DAY_START, DAY_END)], DAY);

    expect(chargeUsageDay(USAGE_PLAN, usage)).toEqual({
      mode: 'usage',
      lines: [
        { dimension: 'cpu', quantity: 48, unitPriceFen: 5, amountFen: 240 },
        { dimension: 'memory', quantity: 96, unitPriceFen: 2, amountFen: 192 },
        { dimension: 'storage', quantity: 1200, unitPriceFen: 1, amountFen: 1200 },
      ],
      totalFen: 1632,
    });
  });

  it('rounds half up', () => {
    // 1 core for 30 minutes at 1 fen per core-hour is 0.5 fen, which rounds to 1.
    const usage = computeDayUsage(
      [interval(DAY_START, '2026-12-03T16:30:00Z', { vcpus: 1, memoryGiB: 0, storageGiB: 0 })],
      DAY,
    );

    const charge = chargeUsageDay({ mode: 'usage', coreHourFen: 1, memoryGiBHourFen: 0, storageGiBHourFen: 0 }, usage);

    expect(charge.lines[0]?.amountFen).toBe(1);
    expect(charge.totalFen).toBe(1);
  });

  it('rounds just below half down', () => {
    // 1 core for 29 min 59.999 s at 1 fen per core-hour is just under 0.5 fen.
    const usage = computeDayUsage(
      [interval(DAY_START, '2026-12-03T16:29:59.999Z', { vcpus: 1, memoryGiB: 0, storageGiB: 0 })],
      DAY,
    );

    const charge = chargeUsageDay({ mode: 'usage', coreHourFen: 1, memoryGiBHourFen: 0, storageGiBHourFen: 0 }, usage);

    expect(charge.totalFen).toBe(0);
  });

  it('avoids float drift at half a fen', () => {
    // 246 minutes is 4.1 core-hours, which at 15 fen is exactly 61.5 fen. In floating point,
    // 4.1 * 15 is 61.49999999999999, and Math.round turns that into 61.
    const usage = computeDayUsage(
      [interval(DAY_START, '2026-12-03T20:06:00Z', { vcpus: 1, memoryGiB: 0, storageGiB: 0 })],
      DAY,
    );

    const charge = chargeUsageDay({ mode: 'usage', coreHourFen: 15, memoryGiBHourFen: 0, storageGiBHourFen: 0 }, usage);

    expect(Math.round(usage.coreHours * 15)).toBe(61);
    expect(charge.totalFen).toBe(62);
  });

  it('total is the sum of rounded lines', () => {
    // Each line is 0.5 fen and rounds to 1, so the total is 3, not round(1.5) = 2.
    const usage = computeDayUsage(
      [interval(DAY_START, '2026-12-03T16:30:00Z', { vcpus: 1, memoryGiB: 1, storageGiB: 1 })],
      DAY,
    );

    const charge = chargeUsageDay({ mode: 'usage', coreHourFen: 1, memoryGiBHourFen: 1, storageGiBHourFen: 1 }, usage);

    expect(charge.lines.map((line) => line.amountFen)).toEqual([1, 1, 1]);
    expect(charge.totalFen).toBe(3);
  });

  it('charges only storage when shelved offloaded', () => {
    const usage = computeDayUsage([interval(DAY_START, DAY_END, { shelvedOffloaded: true })], DAY);

    const charge = chargeUsageDay(USAGE_PLAN, usage);

    expect(charge.lines.map((line) => line.amountFen)).toEqual([0, 0, 1200]);
  });

  it.each([1.5, -1, Number.NaN])('rejects price %s', (price) => {
    const usage = computeDayUsage([], DAY);

    expect(() => chargeUsageDay({ ...USAGE_PLAN, coreHourFen: price }, usage)).toThrow(RangeError);
  });
});

describe('chargePrepaidDay', () => {
  const plan: Extract<PricePlan, { mode: 'prepaid' }> = {
    mode: 'prepaid',
    corePerDayFen: 300,
    memoryGiBPerDayFen: 150,
    storageGiBPerDayFen: 2,
  };

  it('charges ordered amounts', () => {
    expect(chargePrepaidDay(plan, { cpu: 8, memoryGiB: 16, storageGiB: 500 })).toEqual({
      mode: 'prepaid',
      lines: [
        { dimension: 'cpu', quantity: 8, unitPriceFen: 300, amountFen: 2400 },
        { dimension: 'memory', quantity: 16, unitPriceFen: 150, amountFen: 2400 },
        { dimension: 'storage', quantity: 500, unitPriceFen: 2, amountFen: 1000 },
      ],
      totalFen: 5800,
    });
  });

  it('rejects fractional ordered amounts', () => {
    expect(() => chargePrepaidDay(plan, { cpu: 1.5, memoryGiB: 1, storageGiB: 1 })).toThrow(/ordered cpu: 1.5/);
  });
});

describe('chargeDay', () => {
  it('dispatches on plan mode', () => {
    const usage = computeDayUsage([interval(DAY_START, DAY_END)], DAY);
    const ordered = { cpu: 8, memoryGiB: 16, storageGiB: 500 };

    const prepaid = chargeDay(
      { mode: 'prepaid', corePerDayFen: 100, memoryGiBPerDayFen: 0, storageGiBPerDayFen: 0 },
      { ordered, usage },
    );
    const byUsage = chargeDay(USAGE_PLAN, { ordered, usage });

    expect(prepaid.totalFen).toBe(800);
    expect(byUsage.totalFen).toBe(1632);
  });
});

describe('divideRoundHalfUp', () => {
  it.each([
    [5n, 2n, 3n],
    [4n, 2n, 2n],
    [7n, 3n, 2n],
    [8n, 3n, 3n],
    [0n, 7n, 0n],
    [1n, 2n, 1n],
    [1n, 3n, 0n],
  ])('%s / %s gives %s', (dividend, divisor, expected) => {
    expect(divideRoundHalfUp(dividend, divisor)).toBe(expected);
  });

  it('rejects zero divisor', () => {
    expect(() => divideRoundHalfUp(1n, 0n)).toThrow(RangeError);
  });

  it('rejects negative dividend', () => {
    expect(() => divideRoundHalfUp(-1n, 2n)).toThrow(RangeError);
  });
});
