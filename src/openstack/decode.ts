import { invalidResponseError } from './errors.ts';

// Small readers for JSON bodies. Services add fields between releases, so decoders read the
// fields they know and ignore the rest; a missing required field is OS_INVALID_RESPONSE.

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) {
    throw invalidResponseError(`Expected ${what} to be a JSON object`);
  }
  return value;
}

export function requireArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) {
    throw invalidResponseError(`Expected ${what} to be a JSON array`);
  }
  return value;
}

export function requireString(object: JsonObject, key: string, what: string): string {
  const value = object[key];
  if (typeof value !== 'string') {
    throw invalidResponseError(`Expected ${what}.${key} to be a string`);
  }
  return value;
}

/** Returns a string field, or null when it is missing, null or not a string. */
export function optionalString(object: JsonObject, key: string): string | null {
  const value = object[key];
  return typeof value === 'string' ? value : null;
}

/** Returns a numeric field; numeric strings are converted; anything else gives `fallback`. */
export function optionalNumber(object: JsonObject, key: string, fallback: number | null = null): number | null {
  const value = object[key];
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value;
  }
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return fallback;
}

export function optionalBoolean(object: JsonObject, key: string): boolean | null {
  const value = object[key];
  return typeof value === 'boolean' ? value : null;
}

export function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function stringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isJsonObject(value)) {
    return result;
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') {
      result[key] = item;
    }
  }
  return result;
}

/**
 * Parses an OpenStack timestamp as UTC. Nova's `OS-SRV-USG:launched_at` and Neutron timestamps
 * may come without a zone ("2026-12-04T19:19:32.000000"); OpenStack stores UTC, so a missing
 * zone means UTC rather than the local time zone JavaScript would assume.
 */
export function parseOpenStackTime(value: unknown): Date | null {
  if (typeof value !== 'string' || value.trim() === '') {
    return null;
  }

  const trimmed = value.trim();
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed);
  const withZone = hasZone ? trimmed : `${trimmed}Z`;
  const milliseconds = Date.parse(withZone.replace(' ', 'T'));
  return Number.isNaN(milliseconds) ? null : new Date(milliseconds);
}

/**
 * Decodes the numeric entries of `limits.absolute`, the shape both Nova's and Cinder's `GET /limits`
 * return. Entries that are null or not numbers are left out, so callers choose their own default.
 */
export function decodeAbsoluteLimits(body: unknown): Record<string, number> {
  const absolute = requireObject(requireObject(requireObject(body, 'limits response')['limits'], 'limits')['absolute'], 'limits.absolute');

  const raw: Record<string, number> = {};
  for (const key of Object.keys(absolute)) {
    const value = optionalNumber(absolute, key);
    if (value !== null) {
      raw[key] = value;
    }
  }
  return raw;
}
