/**
 * Expected billing figures for VMs whose size never changed, computed from the life times the
 * portal shows, independently of the billing code. Asia/Shanghai is the only zone supported here,
 * because it has been UTC+8 without daylight saving time since 1991, so a day's bounds are fixed.
 */

const MS_PER_HOUR = 3_600_000;
const SHANGHAI_OFFSET = '+08:00';

/** The VM fields a bill depends on, as GET /api/v1/vms/{id} returns them. */
export interface BilledVm {
  cpu: number;
  memoryMiB: number;
  rootDiskGiB: number;
  volumeGiB: number;
  createdAt: string;
  deletedAt: string | null;
}

export interface HourlyPrices {
  corePerHourFen: number;
  memoryGiBPerHourFen: number;
  storageGiBPerHourFen: number;
}

export interface ExpectedBill {
  coreHours: number;
  memoryGiBHours: number;
  storageGiBHours: number;
  amountFen: number;
}

/** Returns the Asia/Shanghai calendar day (YYYY-MM-DD) that contains the instant. */
export function shanghaiDayOf(instant: Date): string {
  return new Date(instant.getTime() + 8 * MS_PER_HOUR).toISOString().slice(0, 10);
}

/** Returns the UTC bounds [start, end) of an Asia/Shanghai day, in epoch milliseconds. */
export function shanghaiDayBounds(day: string): { start: number; end: number } {
  const start = Date.parse(`${day}T00:00:00${SHANGHAI_OFFSET}`);
  return { start, end: start + 24 * MS_PER_HOUR };
}

/** Rounds half up to four decimals, as the billing record stores hours. */
function roundTo4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Prices quantity × milliseconds at a per-hour price, rounded half up to whole fen. */
function lineFen(quantityMs: number, pricePerHourFen: number): number {
  return Math.floor((quantityMs * pricePerHourFen) / MS_PER_HOUR + 0.5);
}

/** Sums the VMs' usage within one Asia/Shanghai day and prices it on a usage plan. */
export function expectedUsageBill(vms: readonly BilledVm[], day: string, prices: HourlyPrices): ExpectedBill {
  const bounds = shanghaiDayBounds(day);
  let coreMs = 0;
  let memoryGiBMs = 0;
  let storageGiBMs = 0;

  for (const vm of vms) {
    const from = Math.max(Date.parse(vm.createdAt), bounds.start);
    const to = Math.min(vm.deletedAt === null ? bounds.end : Date.parse(vm.deletedAt), bounds.end);
    const lifeMs = Math.max(to - from, 0);
    coreMs += vm.cpu * lifeMs;
    memoryGiBMs += (vm.memoryMiB / 1024) * lifeMs;
    storageGiBMs += (vm.rootDiskGiB + vm.volumeGiB) * lifeMs;
  }

  return {
    coreHours: roundTo4(coreMs / MS_PER_HOUR),
    memoryGiBHours: roundTo4(memoryGiBMs / MS_PER_HOUR),
    storageGiBHours: roundTo4(storageGiBMs / MS_PER_HOUR),
    amountFen: lineFen(coreMs, prices.corePerHourFen) + lineFen(memoryGiBMs, prices.memoryGiBPerHourFen) + lineFen(storageGiBMs, prices.storageGiBPerHourFen),
  };
}
