import type { FlavorInfo } from '../../domain/flavor-choice.ts';
import type { ImageInfo } from '../../domain/image-choice.ts';
import type { NetworkInfo } from '../../domain/network-choice.ts';
import type { Flavor, Image, Network } from '../../openstack/index.ts';

// Adapters from the OpenStack client's types to the domain's. Units are kept as the APIs give
// them (flavor RAM in MiB, disks in GiB), so no conversion can round.

/**
 * Maps a Nova flavor. Nova lists public flavors plus the private ones the project has access to,
 * so a listed private flavor is accessible; disabled flavors are not.
 */
export function toFlavorInfo(flavor: Flavor): FlavorInfo {
  return {
    id: flavor.id,
    name: flavor.name,
    vcpus: flavor.vcpus,
    ramMiB: flavor.ramMiB,
    diskGiB: flavor.diskGiB,
    isPublic: flavor.isPublic && !flavor.disabled,
    accessible: !flavor.disabled,
  };
}

/** Maps a Glance image; the client already reads a null `min_ram` or `min_disk` as 0. */
export function toImageInfo(image: Image): ImageInfo {
  return {
    id: image.id,
    name: image.name,
    status: image.status,
    visibility: image.visibility,
    osHidden: image.osHidden,
    osDistro: image.osDistro,
    osVersion: image.osVersion,
    minDiskGiB: image.minDiskGiB,
    minRamMiB: image.minRamMiB,
    createdAt: image.createdAt?.toISOString() ?? '',
    sizeBytes: image.sizeBytes,
  };
}

/** Maps a Neutron network; a network without an owner counts as another project's. */
export function toNetworkInfo(network: Network): NetworkInfo {
  return {
    id: network.id,
    name: network.name,
    projectId: network.projectId ?? '',
    shared: network.shared,
    external: network.external,
    adminStateUp: network.adminStateUp,
    status: network.status,
  };
}
