import type { FlavorInfo } from '../../domain/flavor-choice.ts';
import type { ImageInfo } from '../../domain/image-choice.ts';
import type { NetworkInfo } from '../../domain/network-choice.ts';
import { listFlavors, listImages, listNetworks } from '../../openstack/index.ts';
import type { CloudBinding, CloudClients } from '../cloud/cloud-clients.ts';
import { toFlavorInfo, toImageInfo, toNetworkInfo } from './adapters.ts';
import { TtlCache } from './ttl-cache.ts';

export const DEFAULT_CATALOG_TTL_MS = 60_000;

/**
 * Flavors, images and networks of one project, read from OpenStack and cached per
 * (cloud, region, project) for `ttlMs`, so a form that loads three lists and a create that checks
 * them cost one OpenStack call per list per minute.
 */
export class CatalogService {
  readonly #clouds: CloudClients;
  readonly #flavors: TtlCache<FlavorInfo[]>;
  readonly #images: TtlCache<ImageInfo[]>;
  readonly #networks: TtlCache<NetworkInfo[]>;

  constructor(clouds: CloudClients, options: { ttlMs?: number; now?: () => number } = {}) {
    const ttlMs = options.ttlMs ?? DEFAULT_CATALOG_TTL_MS;
    this.#clouds = clouds;
    this.#flavors = new TtlCache(ttlMs, options.now);
    this.#images = new TtlCache(ttlMs, options.now);
    this.#networks = new TtlCache(ttlMs, options.now);
  }

  flavors(binding: CloudBinding): Promise<FlavorInfo[]> {
    return this.#flavors.get(keyOf(binding), async () => (await listFlavors(this.#clouds.forBinding(binding))).map(toFlavorInfo));
  }

  /** Lists every image the project can see; callers filter out inactive and hidden ones. */
  images(binding: CloudBinding): Promise<ImageInfo[]> {
    return this.#images.get(keyOf(binding), async () => (await listImages(this.#clouds.forBinding(binding))).map(toImageInfo));
  }

  networks(binding: CloudBinding): Promise<NetworkInfo[]> {
    return this.#networks.get(keyOf(binding), async () => (await listNetworks(this.#clouds.forBinding(binding))).map(toNetworkInfo));
  }
}

function keyOf(binding: CloudBinding): string {
  return JSON.stringify([binding.cloud, binding.region ?? '', binding.projectId]);
}
