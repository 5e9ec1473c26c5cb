import type { OpenStackClient, ServiceRequest, ServiceResponse } from '../client.ts';
import { isJsonObject, optionalString } from '../decode.ts';
import { OPENSTACK_ERROR_CODES, OpenStackError, configError } from '../errors.ts';
import { waitUnlessAborted } from '../transport/sleep.ts';

/** Highest compute microversion this client is tested against (Nova 26, Zed, offers 2.93). */
export const MAX_TESTED_COMPUTE_MICROVERSION = '2.93';

/** The base microversion of the v2.1 API; every Nova since Liberty accepts it. */
export const MIN_COMPUTE_MICROVERSION = '2.1';

export interface Microversion {
  major: number;
  minor: number;
}

export function parseMicroversion(text: string): Microversion {
  const match = /^(\d+)\.(\d+)$/.exec(text.trim());
  if (match === null) {
    throw configError(`"${text}" is not a microversion; expected <major>.<minor>, e.g. 2.1`);
  }
  return { major: Number(match[1]), minor: Number(match[2]) };
}

export function compareMicroversions(a: string, b: string): number {
  const left = parseMicroversion(a);
  const right = parseMicroversion(b);
  return left.major === right.major ? left.minor - right.minor : left.major - right.major;
}

/** Returns true when the negotiated `version` is at least `required`. */
export function atLeast(version: string, required: string): boolean {
  return compareMicroversions(version, required) >= 0;
}

export interface VersionRange {
  min: string;
  max: string;
}

/**
 * Chooses the microversion to send: the highest both sides support, capped at the tested maximum,
 * or `pinned` when the caller asks for one and the cloud supports it.
 */
export function chooseMicroversion(server: VersionRange, pinned?: string): string {
  if (pinned !== undefined) {
    if (compareMicroversions(pinned, server.min) < 0 || compareMicroversions(pinned, server.max) > 0) {
      throw configError(`Compute microversion ${pinned} is outside the cloud's range ${server.min} to ${server.max}`);
    }
    return pinned;
  }

  if (compareMicroversions(server.max, MIN_COMPUTE_MICROVERSION) < 0) {
    throw new OpenStackError({
      code: OPENSTACK_ERROR_CODES.OS_UNSUPPORTED,
      message: `The compute API offers microversions up to ${server.max}; this client needs at least ${MIN_COMPUTE_MICROVERSION}`,
    });
  }

  return compareMicroversions(server.max, MAX_TESTED_COMPUTE_MICROVERSION) > 0 ? MAX_TESTED_COMPUTE_MICROVERSION : server.max;
}

/** Reads `{"version": {"version": "2.93", "min_version": "2.1"}}` from Nova's version document. */
export function parseVersionDocument(body: unknown): VersionRange {
  const version = isJsonObject(body) && isJsonObject(body['version']) ? body['version'] : undefined;
  const max = version === undefined ? null : optionalString(version, 'version');
  const min = version === undefined ? null : optionalString(version, 'min_version');

  // A v2.1 endpoint without microversions (before Liberty) sends empty strings.
  if (max === null || max === '') {
    return { min: MIN_COMPUTE_MICROVERSION, max: MIN_COMPUTE_MICROVERSION };
  }
  return { min: min === null || min === '' ? MIN_COMPUTE_MICROVERSION : min, max };
}

/** Returns the version document URL: the endpoint up to `/v2.1`, without a project id after it. */
export function versionDocumentUrl(endpoint: string): string {
  const match = /^(.*\/v2(\.1)?)(\/.*)?$/.exec(endpoint.replace(/\/+$/, ''));
  return `${match === null ? endpoint : match[1]}/`;
}

/**
 * Negotiates the compute microversion once per client. Concurrent callers share the request, which
 * runs without any caller's signal so that one caller's abort does not fail the others.
 */
export function computeMicroversion(client: OpenStackClient, signal?: AbortSignal): Promise<string> {
  const negotiation = client.once('compute-microversion', async () => {
    const endpoint = await client.endpoint('compute');
    const response = await client.request({ service: 'compute', method: 'GET', link: versionDocumentUrl(endpoint) });
    return chooseMicroversion(parseVersionDocument(response.body), client.options.computeMicroversion);
  });
  return waitUnlessAborted(negotiation, signal);
}

export function microversionHeaders(version: string): Record<string, string> {
  // Nova reads OpenStack-API-Version from 2.27 on and the older header before; both are sent.
  return { 'OpenStack-API-Version': `compute ${version}`, 'X-OpenStack-Nova-API-Version': version };
}

export interface ComputeResponse extends ServiceResponse {
  microversion: string;
}

/** Sends a compute request with the negotiated microversion headers. */
export async function computeRequest(client: OpenStackClient, request: Omit<ServiceRequest, 'service'>): Promise<ComputeResponse> {
  const microversion = await computeMicroversion(client, request.signal);
  const response = await client.request({
    ...request,
    service: 'compute',
    headers: { ...request.headers, ...microversionHeaders(microversion) },
  });
  return { ...response, microversion };
}
