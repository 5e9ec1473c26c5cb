/**
 * Chooses the Nova flavor for a VM request, or checks a flavor the tenant picked.
 *
 * Units follow the Nova API: flavor RAM in MiB and disk in GiB. Requests give memory in GiB,
 * converted exactly with 1 GiB = 1024 MiB, so a 4 GiB request needs at least 4096 MiB and a
 * 4000 MiB flavor does not fit. Image minimums follow Glance: `min_ram` in MiB, `min_disk` in GiB.
 */

import { compareCodeUnits } from './text-order.ts';

export const MIB_PER_GIB = 1024;

export interface FlavorInfo {
  id: string;
  name: string;
  vcpus: number;
  ramMiB: number;
  /** Root disk in GiB. 0 means the flavor has no local root disk, so the VM boots from a volume. */
  diskGiB: number;
  isPublic: boolean;
  /** Whether the tenant's project has access to a private flavor. Unset counts as no access. */
  accessible?: boolean;
}

/** The image fields that constrain the flavor, from Glance `min_ram` and `min_disk`. */
export interface ImageMinimums {
  minRamMiB: number;
  minDiskGiB: number;
}

export interface FlavorRequest {
  cpu: number;
  memoryGiB: number;
  /** Root disk the tenant asked for, in GiB. */
  diskGiB: number;
}

export interface FlavorChoice {
  ok: true;
  flavor: FlavorInfo;
  /** True when the flavor has disk 0 and the caller must create a boot volume. */
  bootFromVolume: boolean;
  /** Size of the boot volume to create, set only when `bootFromVolume` is true. */
  volumeSizeGiB?: number;
  /** Root disk the VM gets: the flavor disk, or the boot volume size. Capacity counts this value. */
  rootDiskGiB: number;
}

export type FlavorDimension = 'cpu' | 'memory' | 'disk';

/** One requirement a flavor fails, in the flavor's unit: cores, MiB for memory, GiB for disk. */
export interface FlavorShortfall {
  dimension: FlavorDimension;
  required: number;
  available: number;
  unit: 'cores' | 'MiB' | 'GiB';
}

export type FlavorChoiceError =
  | {
      ok: false;
      code: 'NO_FLAVOR_FITS';
      details: { cpu: number; memoryGiB: number; diskGiB: number; minRamMiB: number; minDiskGiB: number };
    }
  | { ok: false; code: 'INVALID_REQUEST'; details: { field: keyof FlavorRequest; value: number } }
  | { ok: false; code: 'FLAVOR_NOT_FOUND'; details: { flavorId: string } }
  | { ok: false; code: 'FLAVOR_NOT_ACCESSIBLE'; details: { flavorId: string; flavorName: string } }
  | {
      ok: false;
      code: 'FLAVOR_TOO_SMALL';
      details: { flavorId: string; flavorName: string; shortfalls: FlavorShortfall[] };
    };

export type FlavorChoiceResult = FlavorChoice | FlavorChoiceError;

const NO_IMAGE_MINIMUMS: ImageMinimums = { minRamMiB: 0, minDiskGiB: 0 };

/**
 * Chooses the smallest accessible flavor that fits the request and the image minimums.
 *
 * Flavors with a local disk large enough win over disk-0 flavors, because a local root disk
 * needs no extra Cinder volume. Only when no such flavor fits does a disk-0 flavor win, with a
 * boot volume of the requested size, raised to the image's `min_disk` when that is larger.
 * Among equal candidates the order is vcpus, RAM, disk, name, then id, so the choice does not
 * depend on the order Nova lists flavors in.
 */
export function chooseFlavor(
  flavors: readonly FlavorInfo[],
  request: FlavorRequest,
  image: ImageMinimums = NO_IMAGE_MINIMUMS,
): FlavorChoiceResult {
  const invalid = findInvalidRequest(request);
  if (invalid !== null) {
    return invalid;
  }

  const fitting = flavors
    .filter((flavor) => isFlavorAccessible(flavor))
    .filter((flavor) => findFlavorShortfalls(flavor, request, image).length === 0);

  const withLocalDisk = fitting.filter((flavor) => flavor.diskGiB > 0).sort(compareFlavorSize);
  const bestLocal = withLocalDisk[0];
  if (bestLocal !== undefined) {
    return toChoice(bestLocal, request, image);
  }

  const bootFromVolume = fitting.filter((flavor) => flavor.diskGiB === 0).sort(compareFlavorSize);
  const bestVolume = bootFromVolume[0];
  if (bestVolume !== undefined) {
    return toChoice(bestVolume, request, image);
  }

  return {
    ok: false,
    code: 'NO_FLAVOR_FITS',
    details: {
      cpu: request.cpu,
      memoryGiB: request.memoryGiB,
      diskGiB: request.diskGiB,
      minRamMiB: image.minRamMiB,
      minDiskGiB: image.minDiskGiB,
    },
  };
}

/**
 * Checks a flavor id the tenant picked with the same rules as `chooseFlavor`: it must exist,
 * be accessible, and meet the request and the image minimums. The error names what failed.
 */
export function validateFlavorChoice(
  flavors: readonly FlavorInfo[],
  flavorId: string,
  request: FlavorRequest,
  image: ImageMinimums = NO_IMAGE_MINIMUMS,
): FlavorChoiceResult {
  const invalid = findInvalidRequest(request);
  if (invalid !== null) {
    return invalid;
  }

  const flavor = flavors.find((candidate) => candidate.id === flavorId);
  if (flavor === undefined) {
    return { ok: false, code: 'FLAVOR_NOT_FOUND', details: { flavorId } };
  }

  if (!isFlavorAccessible(flavor)) {
    return { ok: false, code: 'FLAVOR_NOT_ACCESSIBLE', details: { flavorId, flavorName: flavor.name } };
  }

  const shortfalls = findFlavorShortfalls(flavor, request, image);
  if (shortfalls.length > 0) {
    return { ok: false, code: 'FLAVOR_TOO_SMALL', details: { flavorId, flavorName: flavor.name, shortfalls } };
  }

  return toChoice(flavor, request, image);
}

export function isFlavorAccessible(flavor: FlavorInfo): boolean {
  return flavor.isPublic || flavor.accessible === true;
}

/**
 * Lists every requirement the flavor fails. A disk-0 flavor never fails on disk, because its
 * boot volume is sized from the request. The comparisons are written as `!(available >= required)`
 * so that a NaN on either side counts as a shortfall instead of a fit.
 */
export function findFlavorShortfalls(
  flavor: FlavorInfo,
  request: FlavorRequest,
  image: ImageMinimums = NO_IMAGE_MINIMUMS,
): FlavorShortfall[] {
  const shortfalls: FlavorShortfall[] = [];

  if (!(flavor.vcpus >= request.cpu)) {
    shortfalls.push({ dimension: 'cpu', required: request.cpu, available: flavor.vcpus, unit: 'cores' });
  }

  const requiredRamMiB = Math.max(request.memoryGiB * MIB_PER_GIB, image.minRamMiB);
  if (!(flavor.ramMiB >= requiredRamMiB)) {
    shortfalls.push({ dimension: 'memory', required: requiredRamMiB, available: flavor.ramMiB, unit: 'MiB' });
  }

  const requiredDiskGiB = Math.max(request.diskGiB, image.minDiskGiB);
  if (flavor.diskGiB !== 0 && !(flavor.diskGiB >= requiredDiskGiB)) {
    shortfalls.push({ dimension: 'disk', required: requiredDiskGiB, available: flavor.diskGiB, unit: 'GiB' });
  }

  return shortfalls;
}

/** Rejects request sizes that are not positive finite numbers, which no flavor comparison can handle. */
function findInvalidRequest(request: FlavorRequest): FlavorChoiceError | null {
  for (const field of ['cpu', 'memoryGiB', 'diskGiB'] as const) {
    const value = request[field];

    if (!Number.isFinite(value) || value <= 0) {
      return { ok: false, code: 'INVALID_REQUEST', details: { field, value } };
    }
  }

  return null;
}

function toChoice(flavor: FlavorInfo, request: FlavorRequest, image: ImageMinimums): FlavorChoice {
  if (flavor.diskGiB > 0) {
    return { ok: true, flavor, bootFromVolume: false, rootDiskGiB: flavor.diskGiB };
  }

  const volumeSizeGiB = Math.max(request.diskGiB, image.minDiskGiB);
  return { ok: true, flavor, bootFromVolume: true, volumeSizeGiB, rootDiskGiB: volumeSizeGiB };
}

function compareFlavorSize(left: FlavorInfo, right: FlavorInfo): number {
  return (
    left.vcpus - right.vcpus ||
    left.ramMiB - right.ramMiB ||
    left.diskGiB - right.diskGiB ||
    compareCodeUnits(left.name, right.name) ||
    compareCodeUnits(left.id, right.id)
  );
}
