/**
 * Chooses the Glance image for a requested operating system, or checks an image the tenant
 * picked. Only images with Glance v2 status `active` (lower case) that are not `os_hidden` are
 * usable.
 */

import { compareCodeUnits } from './text-order.ts';

export interface ImageInfo {
  id: string;
  name: string;
  /** Glance v2 status: `queued`, `saving`, `active`, `killed`, `deleted`, `deactivated`, ... */
  status: string;
  /** Glance visibility: `public`, `private`, `shared` or `community`; an OS request prefers them in that order, private last. */
  visibility: string;
  osHidden: boolean;
  /** Glance `os_distro` property, for example `centos`. */
  osDistro?: string | null;
  /** Glance `os_version` property, for example `7.9`. */
  osVersion?: string | null;
  minDiskGiB: number;
  minRamMiB: number;
  /** Glance `created_at`, an ISO 8601 timestamp. */
  createdAt: string;
  sizeBytes?: number | null;
}

export interface OsRequest {
  distro: string;
  /** Omitted or blank means any version of the distro. */
  version?: string | null;
}

/** The rule that matched the image. `id` means the tenant picked it and named no OS to check. */
export type ImageMatch = 'properties' | 'name' | 'id';

export type ImageRejection = 'not_active' | 'hidden' | 'os_mismatch';

export type ImageChoiceResult =
  | { ok: true; image: ImageInfo; matchedBy: ImageMatch }
  | { ok: false; code: 'OS_REQUEST_EMPTY'; details: { distro: string } }
  | { ok: false; code: 'NO_IMAGE_MATCHES'; details: { distro: string; version: string | null } }
  | { ok: false; code: 'IMAGE_NOT_FOUND'; details: { imageId: string } }
  | {
      ok: false;
      code: 'IMAGE_NOT_USABLE';
      details: { imageId: string; imageName: string; reason: ImageRejection; status: string };
    };

/**
 * Chooses the newest usable image for the requested OS, from public images before community,
 * shared and private ones. A project's private images are mostly snapshots of one VM with its
 * data, so a request by OS name takes the cloud's base image. A tenant picks its own image by id.
 *
 * Images whose `os_distro` and `os_version` properties match come first. Only when none match
 * does the image name count, split into tokens ("CentOS-7.9-x86_64" gives `centos`, `7.9`,
 * `x86`, `64`), and only for images whose properties do not name another distro or version.
 * A version matches exactly or as a dotted prefix, so "7" matches "7.9" but not "70".
 * An empty distro is an error, never "any image". Ties on `created_at` go by name, then id.
 */
export function chooseImage(images: readonly ImageInfo[], request: OsRequest): ImageChoiceResult {
  const distro = request.distro.trim().toLowerCase();
  const version = normaliseVersion(request.version);

  if (distro === '') {
    return { ok: false, code: 'OS_REQUEST_EMPTY', details: { distro: request.distro } };
  }

  const usable = images.filter((image) => findImageRejection(image) === null).sort(compareNewestFirst);

  const byProperties = usable.find((image) => matchesByProperties(image, distro, version));
  if (byProperties !== undefined) {
    return { ok: true, image: byProperties, matchedBy: 'properties' };
  }

  const byName = usable.find((image) => matchesByName(image, distro, version));
  if (byName !== undefined) {
    return { ok: true, image: byName, matchedBy: 'name' };
  }

  return { ok: false, code: 'NO_IMAGE_MATCHES', details: { distro, version } };
}

/**
 * Checks an image id the tenant picked: it must exist, be active and not hidden. When the
 * request names an OS, the image must also match it, by properties or by name.
 */
export function validateImageChoice(
  images: readonly ImageInfo[],
  imageId: string,
  request?: OsRequest,
): ImageChoiceResult {
  const image = images.find((candidate) => candidate.id === imageId);
  if (image === undefined) {
    return { ok: false, code: 'IMAGE_NOT_FOUND', details: { imageId } };
  }

  const rejection = findImageRejection(image);
  if (rejection !== null) {
    return notUsable(image, rejection);
  }

  const distro = request?.distro.trim().toLowerCase() ?? '';
  if (distro === '') {
    return { ok: true, image, matchedBy: 'id' };
  }

  const version = normaliseVersion(request?.version);
  if (matchesByProperties(image, distro, version)) {
    return { ok: true, image, matchedBy: 'properties' };
  }
  if (matchesByName(image, distro, version)) {
    return { ok: true, image, matchedBy: 'name' };
  }

  return notUsable(image, 'os_mismatch');
}

/** Returns why the image cannot boot a new VM, or null when it can. */
export function findImageRejection(image: ImageInfo): 'not_active' | 'hidden' | null {
  if (image.status !== 'active') {
    return 'not_active';
  }
  if (image.osHidden) {
    return 'hidden';
  }
  return null;
}

/** True when `actual` equals `requested` or starts with `requested` followed by a dot. */
export function versionMatches(actual: string, requested: string): boolean {
  const actualLower = actual.trim().toLowerCase();
  const requestedLower = requested.trim().toLowerCase();

  return actualLower === requestedLower || actualLower.startsWith(`${requestedLower}.`);
}

/** Splits an image name into lower-case tokens at every character other than a letter, digit or dot. */
export function tokeniseImageName(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[^\p{L}\p{N}.]+/u)
    .filter((token) => token !== '');
}

function matchesByProperties(image: ImageInfo, distro: string, version: string | null): boolean {
  const imageDistro = image.osDistro?.trim().toLowerCase() ?? '';
  if (imageDistro !== distro) {
    return false;
  }

  if (version === null) {
    return true;
  }

  const imageVersion = image.osVersion?.trim() ?? '';
  return imageVersion !== '' && versionMatches(imageVersion, version);
}

function matchesByName(image: ImageInfo, distro: string, version: string | null): boolean {
  if (!propertiesAllow(image, distro, version)) {
    return false;
  }

  const tokens = tokeniseImageName(image.name);
  if (!tokens.includes(distro)) {
    return false;
  }

  return version === null || tokens.some((token) => versionMatches(token, version));
}

/** False when the image's own properties name another distro or version than requested. */
function propertiesAllow(image: ImageInfo, distro: string, version: string | null): boolean {
  const imageDistro = image.osDistro?.trim().toLowerCase() ?? '';
  if (imageDistro !== '' && imageDistro !== distro) {
    return false;
  }

  const imageVersion = image.osVersion?.trim() ?? '';
  return version === null || imageVersion === '' || versionMatches(imageVersion, version);
}

function normaliseVersion(version: string | null | undefined): string | null {
  const trimmed = version?.trim().toLowerCase() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** Orders by `created_at` descending. Unparseable timestamps sort last. */
/** Order in which an OS request considers visibilities; an unknown one comes with private. */
const VISIBILITY_RANK: Readonly<Record<string, number>> = { public: 0, community: 1, shared: 2, private: 3 };

function visibilityRank(image: ImageInfo): number {
  return VISIBILITY_RANK[image.visibility] ?? 3;
}

function compareNewestFirst(left: ImageInfo, right: ImageInfo): number {
  const leftTime = parseTime(left.createdAt);
  const rightTime = parseTime(right.createdAt);

  return (
    visibilityRank(left) - visibilityRank(right) ||
    rightTime - leftTime ||
    compareCodeUnits(left.name, right.name) ||
    compareCodeUnits(left.id, right.id)
  );
}

function parseTime(value: string): number {
  const time = Date.parse(value);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

function notUsable(image: ImageInfo, reason: ImageRejection): ImageChoiceResult {
  return {
    ok: false,
    code: 'IMAGE_NOT_USABLE',
    details: { imageId: image.id, imageName: image.name, reason, status: image.status },
  };
}
