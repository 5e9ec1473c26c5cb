/**
 * Capacity of an information system: what its prepaid orders provide, what its live VMs use,
 * what remains, and whether a request fits. Also checks a request against Nova's project quota
 * from `GET /limits`.
 */

import type { PortalVmStatus } from './vm-status.ts';

/** CPU in cores, memory and storage in GiB. */
export interface ResourceAmounts {
  cpu: number;
  memoryGiB: number;
  storageGiB: number;
}

export interface CapacityOrder extends ResourceAmounts {
  /** Only `active` orders count, and other values (pending, cancelled, ...) are ignored. */
  status: string;
  /** Start of the validity period, inclusive. */
  validFrom: Date;
  /** End of the validity period, exclusive, or null for an order without end. */
  validUntil: Date | null;
}

export interface CapacityVm {
  status: PortalVmStatus;
  cpu: number;
  memoryGiB: number;
  rootDiskGiB: number;
  /** Sizes of attached data volumes in GiB. */
  volumeSizesGiB: readonly number[];
}

export type CapacityDimension = 'cpu' | 'memory' | 'storage';

export interface CapacityShortfall {
  dimension: CapacityDimension;
  requested: number;
  /** Can be negative when an order expired while its VMs kept running. */
  remaining: number;
  unit: 'cores' | 'GiB';
}

export type CapacityCheck = { ok: true } | { ok: false; exceeded: CapacityShortfall[] };

/** Sums the active orders whose validity period contains `at`. */
export function computeOrderedCapacity(orders: readonly CapacityOrder[], at: Date): ResourceAmounts {
  const time = at.getTime();

  const valid = orders.filter(
    (order) =>
      order.status === 'active' &&
      order.validFrom.getTime() <= time &&
      (order.validUntil === null || time < order.validUntil.getTime()),
  );

  return sumAmounts(valid);
}

/**
 * Sums what the VMs use. Every VM not `deleted` counts, including stopped, shelved and errored
 * ones, because capacity is a reservation and such a VM can be started again without a new check.
 * Storage is the root disk plus all data volumes.
 */
export function computeUsedCapacity(vms: readonly CapacityVm[]): ResourceAmounts {
  const live = vms.filter((vm) => vm.status !== 'deleted');

  return sumAmounts(
    live.map((vm) => ({
      cpu: vm.cpu,
      memoryGiB: vm.memoryGiB,
      storageGiB: vm.rootDiskGiB + vm.volumeSizesGiB.reduce((total, size) => total + size, 0),
    })),
  );
}

/** Returns ordered minus used per dimension. Values below zero are kept, so over-use shows. */
export function computeRemainingCapacity(ordered: ResourceAmounts, used: ResourceAmounts): ResourceAmounts {
  return {
    cpu: ordered.cpu - used.cpu,
    memoryGiB: ordered.memoryGiB - used.memoryGiB,
    storageGiB: ordered.storageGiB - used.storageGiB,
  };
}

/**
 * Checks a request against the remaining capacity and lists every dimension it exceeds.
 * A NaN on either side counts as exceeded, so a malformed request never passes.
 * For a resize, pass only the increase, as returned by `computeResourceIncrease`.
 */
export function checkCapacity(remaining: ResourceAmounts, request: ResourceAmounts): CapacityCheck {
  const exceeded: CapacityShortfall[] = [];

  if (!(request.cpu <= remaining.cpu)) {
    exceeded.push({ dimension: 'cpu', requested: request.cpu, remaining: remaining.cpu, unit: 'cores' });
  }
  if (!(request.memoryGiB <= remaining.memoryGiB)) {
    exceeded.push({ dimension: 'memory', requested: request.memoryGiB, remaining: remaining.memoryGiB, unit: 'GiB' });
  }
  if (!(request.storageGiB <= remaining.storageGiB)) {
    exceeded.push({
      dimension: 'storage',
      requested: request.storageGiB,
      remaining: remaining.storageGiB,
      unit: 'GiB',
    });
  }

  return exceeded.length === 0 ? { ok: true } : { ok: false, exceeded };
}

export type MessageLocale = 'zh-CN' | 'en-US';

/**
 * Formats one shortfall for the user, for example "内存不足：需要 8 GiB，剩余 4 GiB".
 * A negative remaining amount shows as 0, because "剩余 -2 核" would confuse the user. The
 * shortfall itself keeps the real value.
 */
export function formatCapacityShortfall(shortfall: CapacityShortfall, locale: MessageLocale = 'zh-CN'): string {
  const remaining = Math.max(shortfall.remaining, 0);

  if (locale === 'zh-CN') {
    const names: Record<CapacityDimension, string> = { cpu: 'CPU 核数', memory: '内存', storage: '存储' };
    const unit = shortfall.unit === 'cores' ? ' 核' : ' GiB';
    return `${names[shortfall.dimension]}不足：需要 ${shortfall.requested}${unit}，剩余 ${remaining}${unit}`;
  }

  const names: Record<CapacityDimension, string> = { cpu: 'CPU', memory: 'memory', storage: 'storage' };
  const unitFor = (amount: number): string => {
    if (shortfall.unit !== 'cores') return ' GiB';
    return amount === 1 ? ' core' : ' cores';
  };
  const name = names[shortfall.dimension];
  return `Not enough ${name}: ${shortfall.requested}${unitFor(shortfall.requested)} requested, ${remaining}${unitFor(remaining)} remaining`;
}

/** The absolute limits Nova returns from `GET /limits`, where -1 means unlimited. */
export interface NovaAbsoluteLimits {
  maxTotalInstances: number;
  totalInstancesUsed: number;
  maxTotalCores: number;
  totalCoresUsed: number;
  /** MiB. */
  maxTotalRAMSize: number;
  /** MiB. */
  totalRAMUsed: number;
}

export interface NovaQuotaRequest {
  instances: number;
  cores: number;
  ramMiB: number;
}

export interface NovaQuotaShortfall {
  quota: 'instances' | 'cores' | 'ram';
  limit: number;
  used: number;
  requested: number;
  unit: 'instances' | 'cores' | 'MiB';
}

export type NovaQuotaCheck = { ok: true } | { ok: false; exceeded: NovaQuotaShortfall[] };

/** Lists each Nova project quota that the request would exceed. A NaN counts as exceeded. */
export function checkNovaLimits(limits: NovaAbsoluteLimits, request: NovaQuotaRequest): NovaQuotaCheck {
  const checks: NovaQuotaShortfall[] = [
    {
      quota: 'instances',
      limit: limits.maxTotalInstances,
      used: limits.totalInstancesUsed,
      requested: request.instances,
      unit: 'instances',
    },
    {
      quota: 'cores',
      limit: limits.maxTotalCores,
      used: limits.totalCoresUsed,
      requested: request.cores,
      unit: 'cores',
    },
    { quota: 'ram', limit: limits.maxTotalRAMSize, used: limits.totalRAMUsed, requested: request.ramMiB, unit: 'MiB' },
  ];

  const exceeded = checks.filter((check) => check.limit !== -1 && !(check.used + check.requested <= check.limit));

  return exceeded.length === 0 ? { ok: true } : { ok: false, exceeded };
}

function sumAmounts(items: readonly ResourceAmounts[]): ResourceAmounts {
  const total: ResourceAmounts = { cpu: 0, memoryGiB: 0, storageGiB: 0 };

  for (const item of items) {
    total.cpu += item.cpu;
    total.memoryGiB += item.memoryGiB;
    total.storageGiB += item.storageGiB;
  }

  return total;
}
