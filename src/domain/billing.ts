/**
 * Daily billing math: resource usage of VMs within one local day and the amount a price plan
 * charges for it. The SQL billing job computes the same figures, and these functions define the
 * expected results for its tests.
 *
 * Amounts are integers in fen (分, 1/100 yuan). Each line is rounded half up once, from an
 * exact BigInt product, so no floating-point error reaches an amount. The total is the sum of
 * the rounded lines, so the lines on a bill add up to its total.
 */

import type { ResourceAmounts } from './capacity.ts';
import { DEFAULT_BILLING_TIME_ZONE, localDayBounds } from './local-day.ts';

/** One period during which a VM had the same size and state. A resize starts a new interval. */
export interface UsageInterval {
  start: Date;
  /** Null while the interval is still open. */
  end: Date | null;
  vcpus: number;
  memoryGiB: number;
  storageGiB: number;
  /** A shelved-offloaded VM uses no host CPU or memory, so only its storage counts. */
  shelvedOffloaded: boolean;
}

export interface DayUsage {
  day: string;
  timeZone: string;
  start: Date;
  end: Date;
  /** Exact sums of quantity × milliseconds. The hour fields below are these divided by 3,600,000. */
  coreMilliseconds: number;
  memoryGiBMilliseconds: number;
  storageGiBMilliseconds: number;
  coreHours: number;
  memoryGiBHours: number;
  storageGiBHours: number;
}

export type PricePlan =
  | {
      mode: 'prepaid';
      /** Fen per ordered core per day. */
      corePerDayFen: number;
      memoryGiBPerDayFen: number;
      storageGiBPerDayFen: number;
    }
  | {
      mode: 'usage';
      /** Fen per core-hour. */
      coreHourFen: number;
      memoryGiBHourFen: number;
      storageGiBHourFen: number;
    };

export type ChargeDimension = 'cpu' | 'memory' | 'storage';

export interface ChargeLine {
  dimension: ChargeDimension;
  /** Cores or GiB ordered for prepaid plans, core-hours or GiB-hours for usage plans. */
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
}

export interface DayCharge {
  mode: PricePlan['mode'];
  lines: ChargeLine[];
  totalFen: number;
}

const MS_PER_HOUR = 3_600_000;

/**
 * Sums the usage of the intervals within the local day `day` in `timeZone`.
 *
 * Each interval counts only for its overlap with the day's UTC bounds [start, end). An open
 * interval runs to the end of the day, or to `asOf` when that is earlier, which bills the
 * current day so far. An interval that ends before it starts counts as zero.
 */
export function computeDayUsage(
  intervals: readonly UsageInterval[],
  day: string,
  timeZone: string = DEFAULT_BILLING_TIME_ZONE,
  asOf?: Date,
): DayUsage {
  const bounds = localDayBounds(day, timeZone);
  const dayStart = bounds.start.getTime();
  const dayEnd = bounds.end.getTime();
  const openIntervalEnd = asOf === undefined ? dayEnd : Math.min(dayEnd, asOf.getTime());

  let coreMilliseconds = 0;
  let memoryGiBMilliseconds = 0;
  let storageGiBMilliseconds = 0;

  for (const interval of intervals) {
    const start = Math.max(interval.start.getTime(), dayStart);
    const end = Math.min(interval.end === null ? openIntervalEnd : interval.end.getTime(), dayEnd);
    const overlap = Math.max(end - start, 0);

    if (!interval.shelvedOffloaded) {
      coreMilliseconds += interval.vcpus * overlap;
      memoryGiBMilliseconds += interval.memoryGiB * overlap;
    }
    storageGiBMilliseconds += interval.storageGiB * overlap;
  }

  return {
    day,
    timeZone,
    start: bounds.start,
    end: bounds.end,
    coreMilliseconds,
    memoryGiBMilliseconds,
    storageGiBMilliseconds,
    coreHours: coreMilliseconds / MS_PER_HOUR,
    memoryGiBHours: memoryGiBMilliseconds / MS_PER_HOUR,
    storageGiBHours: storageGiBMilliseconds / MS_PER_HOUR,
  };
}

/**
 * Charges one day on a prepaid plan: the ordered amounts times the daily unit prices, whatever
 * the VMs used. Ordered amounts must be whole cores and GiB.
 */
export function chargePrepaidDay(plan: Extract<PricePlan, { mode: 'prepaid' }>, ordered: ResourceAmounts): DayCharge {
  const lines: ChargeLine[] = [
    prepaidLine('cpu', ordered.cpu, plan.corePerDayFen),
    prepaidLine('memory', ordered.memoryGiB, plan.memoryGiBPerDayFen),
    prepaidLine('storage', ordered.storageGiB, plan.storageGiBPerDayFen),
  ];

  return { mode: 'prepaid', lines, totalFen: sumLines(lines) };
}

/** Charges one day on a usage plan: core-hours and GiB-hours times the hourly unit prices. */
export function chargeUsageDay(plan: Extract<PricePlan, { mode: 'usage' }>, usage: DayUsage): DayCharge {
  const lines: ChargeLine[] = [
    usageLine('cpu', usage.coreMilliseconds, plan.coreHourFen),
    usageLine('memory', usage.memoryGiBMilliseconds, plan.memoryGiBHourFen),
    usageLine('storage', usage.storageGiBMilliseconds, plan.storageGiBHourFen),
  ];

  return { mode: 'usage', lines, totalFen: sumLines(lines) };
}

/** Charges one day on either kind of plan. */
export function chargeDay(plan: PricePlan, input: { ordered: ResourceAmounts; usage: DayUsage }): DayCharge {
  if (plan.mode === 'prepaid') {
    return chargePrepaidDay(plan, input.ordered);
  }
  return chargeUsageDay(plan, input.usage);
}

/**
 * Divides and rounds half up, so 2.5 becomes 3. Both values must be non-negative and the
 * divisor positive.
 */
export function divideRoundHalfUp(dividend: bigint, divisor: bigint): bigint {
  if (dividend < 0n || divisor <= 0n) {
    throw new RangeError(`divideRoundHalfUp expects dividend >= 0 and divisor > 0, got ${dividend} / ${divisor}`);
  }

  return (dividend * 2n + divisor) / (divisor * 2n);
}

function prepaidLine(dimension: ChargeDimension, quantity: number, unitPriceFen: number): ChargeLine {
  requireWholeNumber(`ordered ${dimension}`, quantity);
  requireWholeNumber(`${dimension} price in fen`, unitPriceFen);

  const amount = BigInt(quantity) * BigInt(unitPriceFen);
  return { dimension, quantity, unitPriceFen, amountFen: Number(amount) };
}

/**
 * Prices quantity × milliseconds at a per-hour price. Quantity-milliseconds are rounded to a
 * whole number first, which is exact for whole cores and GiB.
 */
function usageLine(dimension: ChargeDimension, quantityMilliseconds: number, unitPriceFen: number): ChargeLine {
  requireWholeNumber(`${dimension} price in fen`, unitPriceFen);

  const product = BigInt(Math.round(quantityMilliseconds)) * BigInt(unitPriceFen);
  const amountFen = divideRoundHalfUp(product, BigInt(MS_PER_HOUR));

  return { dimension, quantity: quantityMilliseconds / MS_PER_HOUR, unitPriceFen, amountFen: Number(amountFen) };
}

function sumLines(lines: readonly ChargeLine[]): number {
  return lines.reduce((total, line) => total + line.amountFen, 0);
}

/** Rejects fractional, negative or unsafe numbers, which would make a fen amount inexact. */
function requireWholeNumber(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Invalid ${name}: ${value}; expected a whole number >= 0`);
  }
}
