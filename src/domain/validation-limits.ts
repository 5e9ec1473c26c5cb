/**
 * Limits for VM requests and the rules for VM names.
 *
 * A VM has two names. The Nova name becomes the guest hostname through cloud-init, so it must be
 * a valid hostname label (RFC 1123): ASCII letters, digits and hyphens, 1 to 63 characters,
 * starting with a letter and not ending with a hyphen. The display name is what the portal shows;
 * it may contain Chinese and other Unicode text, up to 64 characters.
 */

export interface NumberRange {
  min: number;
  max: number;
}

export interface VmRequestLimits {
  /** Cores. */
  cpu: NumberRange;
  memoryGiB: NumberRange;
  diskGiB: NumberRange;
}

/** Defaults for a deployment that does not configure its own limits. */
export const DEFAULT_VM_REQUEST_LIMITS: VmRequestLimits = {
  cpu: { min: 1, max: 64 },
  memoryGiB: { min: 1, max: 512 },
  diskGiB: { min: 10, max: 10_000 },
};

export interface VmSizeRequest {
  cpu: number;
  memoryGiB: number;
  diskGiB: number;
}

export interface LimitViolation {
  field: keyof VmSizeRequest;
  value: number;
  reason: 'not_integer' | 'below_min' | 'above_max';
  min: number;
  max: number;
}

export type LimitCheck = { ok: true } | { ok: false; violations: LimitViolation[] };

/** Checks that every size is a whole number within its range, and lists each that is not. */
export function checkVmRequestLimits(
  request: VmSizeRequest,
  limits: VmRequestLimits = DEFAULT_VM_REQUEST_LIMITS,
): LimitCheck {
  const violations: LimitViolation[] = [];

  for (const field of ['cpu', 'memoryGiB', 'diskGiB'] as const) {
    const value = request[field];
    const { min, max } = limits[field];

    if (!Number.isInteger(value)) {
      violations.push({ field, value, reason: 'not_integer', min, max });
    } else if (value < min) {
      violations.push({ field, value, reason: 'below_min', min, max });
    } else if (value > max) {
      violations.push({ field, value, reason: 'above_max', min, max });
    }
  }

  return violations.length === 0 ? { ok: true } : { ok: false, violations };
}

export const VM_NAME_MAX_LENGTH = 63;

/** A hostname label that starts with a letter: at most 63 characters, no trailing hyphen. */
export const VM_NAME_PATTERN = /^[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

export type NameCheck =
  | { ok: true; value: string }
  | { ok: false; reason: 'empty' | 'too_long' | 'invalid_format'; value: string; maxLength: number };

/** Checks a Nova VM name. The name is not trimmed: a space in it is invalid, not ignored. */
export function checkVmName(name: string): NameCheck {
  if (name === '') {
    return { ok: false, reason: 'empty', value: name, maxLength: VM_NAME_MAX_LENGTH };
  }
  if (name.length > VM_NAME_MAX_LENGTH) {
    return { ok: false, reason: 'too_long', value: name, maxLength: VM_NAME_MAX_LENGTH };
  }
  if (!VM_NAME_PATTERN.test(name)) {
    return { ok: false, reason: 'invalid_format', value: name, maxLength: VM_NAME_MAX_LENGTH };
  }

  return { ok: true, value: name };
}

export const DISPLAY_NAME_MAX_LENGTH = 64;

/** Control, format, private-use and unassigned code points, which could hide or reorder text. */
const INVISIBLE_OR_CONTROL = /\p{C}/u;

/**
 * Checks a display name after trimming surrounding whitespace. Length counts Unicode code
 * points, so 64 Chinese characters fit. The returned `value` is the trimmed name to store.
 */
export function checkDisplayName(name: string): NameCheck {
  const value = name.trim();
  const length = Array.from(value).length;

  if (length === 0) {
    return { ok: false, reason: 'empty', value, maxLength: DISPLAY_NAME_MAX_LENGTH };
  }
  if (length > DISPLAY_NAME_MAX_LENGTH) {
    return { ok: false, reason: 'too_long', value, maxLength: DISPLAY_NAME_MAX_LENGTH };
  }
  if (INVISIBLE_OR_CONTROL.test(value)) {
    return { ok: false, reason: 'invalid_format', value, maxLength: DISPLAY_NAME_MAX_LENGTH };
  }

  return { ok: true, value };
}
