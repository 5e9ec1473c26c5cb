/** Turns a change of VM or order size into one adjustment row per changed dimension. */

export interface ResourceSpec {
  cpu: number;
  memoryGiB: number;
  storageGiB: number;
}

export type ResourceDimension = keyof ResourceSpec;

export interface ResourceAdjustment {
  dimension: ResourceDimension;
  oldValue: number;
  newValue: number;
  direction: 'increase' | 'decrease';
}

const DIMENSIONS: readonly ResourceDimension[] = ['cpu', 'memoryGiB', 'storageGiB'];

/** Returns the changed dimensions in the order cpu, memoryGiB, storageGiB, or none when nothing changed. */
export function diffResourceSpec(oldSpec: ResourceSpec, newSpec: ResourceSpec): ResourceAdjustment[] {
  const adjustments: ResourceAdjustment[] = [];

  for (const dimension of DIMENSIONS) {
    const oldValue = oldSpec[dimension];
    const newValue = newSpec[dimension];

    if (oldValue !== newValue) {
      adjustments.push({ dimension, oldValue, newValue, direction: newValue > oldValue ? 'increase' : 'decrease' });
    }
  }

  return adjustments;
}

/** Returns how much each dimension grows, with 0 for unchanged or shrinking ones, for a capacity check. */
export function computeResourceIncrease(oldSpec: ResourceSpec, newSpec: ResourceSpec): ResourceSpec {
  return {
    cpu: Math.max(newSpec.cpu - oldSpec.cpu, 0),
    memoryGiB: Math.max(newSpec.memoryGiB - oldSpec.memoryGiB, 0),
    storageGiB: Math.max(newSpec.storageGiB - oldSpec.storageGiB, 0),
  };
}
