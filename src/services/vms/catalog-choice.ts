import { chooseFlavor, validateFlavorChoice, type FlavorChoice, type FlavorChoiceError } from '../../domain/flavor-choice.ts';
import { chooseImage, validateImageChoice, type ImageChoiceResult, type ImageInfo } from '../../domain/image-choice.ts';
import { chooseNetwork, validateNetworkChoice, type NetworkChoiceResult, type NetworkInfo } from '../../domain/network-choice.ts';
import { fieldError, invalidFields } from '../../errors/field-error.ts';
import type { FieldError } from '../../errors/portal-error.ts';
import { portalErrorFor } from './openstack-failure.ts';
import type { CatalogService } from '../catalog/catalog.ts';
import type { CloudBinding } from '../cloud/cloud-clients.ts';

/** The tenant's request; explicit ids are checked with the same rules as the automatic choice. */
export interface PlacementRequest {
  cpu: number;
  memoryGiB: number;
  diskGiB: number;
  os?: { distro: string; version?: string | undefined } | undefined;
  imageId?: string | undefined;
  flavorId?: string | undefined;
  networkId?: string | undefined;
}

export interface Placement {
  image: ImageInfo;
  flavor: FlavorChoice;
  network: NetworkInfo;
}

/**
 * Chooses image, flavor and network with the domain rules, or raises VALIDATION_FAILED with one
 * field error per failed choice (`os`/`imageId`, `flavorId`, `networkId`).
 */
export async function choosePlacement(catalog: CatalogService, binding: CloudBinding, request: PlacementRequest): Promise<Placement> {
  let images, flavors, networks;
  try {
    [images, flavors, networks] = await Promise.all([catalog.images(binding), catalog.flavors(binding), catalog.networks(binding)]);
  } catch (error) {
    // As in the catalog routes, a cloud that cannot be read is reported as unavailable (503), not as a portal fault.
    throw portalErrorFor(error);
  }
  const errors: FieldError[] = [];

  const imageResult: ImageChoiceResult =
    request.imageId !== undefined ? validateImageChoice(images, request.imageId, request.os) : chooseImage(images, request.os ?? { distro: '' });
  if (!imageResult.ok) errors.push(imageFieldError(imageResult, request));

  const size = { cpu: request.cpu, memoryGiB: request.memoryGiB, diskGiB: request.diskGiB };
  const minimums = imageResult.ok ? { minRamMiB: imageResult.image.minRamMiB, minDiskGiB: imageResult.image.minDiskGiB } : undefined;
  const flavorResult = request.flavorId !== undefined ? validateFlavorChoice(flavors, request.flavorId, size, minimums) : chooseFlavor(flavors, size, minimums);
  if (!flavorResult.ok) errors.push(flavorFieldError(flavorResult));

  const networkResult = request.networkId !== undefined ? validateNetworkChoice(networks, request.networkId, binding.projectId) : chooseNetwork(networks, { projectId: binding.projectId });
  if (!networkResult.ok) errors.push(networkFieldError(networkResult));

  if (!imageResult.ok || !flavorResult.ok || !networkResult.ok) throw invalidFields(errors);
  return { image: imageResult.image, flavor: flavorResult, network: networkResult.network };
}

function imageFieldError(result: Exclude<ImageChoiceResult, { ok: true }>, request: PlacementRequest): FieldError {
  switch (result.code) {
    case 'OS_REQUEST_EMPTY':
      return fieldError('os', 'required', '请指定操作系统（os.distro）或镜像 ID（imageId）。', 'Name an operating system (os.distro) or an image id (imageId).');
    case 'NO_IMAGE_MATCHES': {
      const wanted = `${result.details.distro}${result.details.version ? ` ${result.details.version}` : ''}`;
      return fieldError('os', 'not_allowed', `没有可用的 ${wanted} 镜像，请从镜像列表中选择其他操作系统。`, `No usable ${wanted} image exists; choose another operating system from the image list.`);
    }
    case 'IMAGE_NOT_FOUND':
      return fieldError('imageId', 'not_allowed', `镜像 ${result.details.imageId} 不存在或当前项目不可见。`, `Image ${result.details.imageId} does not exist or is not visible to the project.`);
    case 'IMAGE_NOT_USABLE': {
      const field = result.details.reason === 'os_mismatch' && request.imageId === undefined ? 'os' : 'imageId';
      const reasonZh = { not_active: `状态为 ${result.details.status}，不可用`, hidden: '已隐藏', os_mismatch: '与所选操作系统不符' }[result.details.reason];
      const reasonEn = { not_active: `is ${result.details.status}, not active`, hidden: 'is hidden', os_mismatch: 'does not match the requested operating system' }[result.details.reason];
      return fieldError(field, 'not_allowed', `镜像 ${result.details.imageName}${reasonZh}。`, `Image ${result.details.imageName} ${reasonEn}.`);
    }
  }
}

function flavorFieldError(result: FlavorChoiceError): FieldError {
  switch (result.code) {
    case 'NO_FLAVOR_FITS':
      return fieldError('flavorId', 'not_allowed', `没有满足 ${result.details.cpu} 核 / ${result.details.memoryGiB} GiB 内存 / ${result.details.diskGiB} GiB 磁盘的规格，请调整配置。`, `No flavor fits ${result.details.cpu} cores, ${result.details.memoryGiB} GiB memory and ${result.details.diskGiB} GiB disk; change the size.`);
    case 'INVALID_REQUEST':
      return fieldError(result.details.field, 'too_small', '取值必须为正数。', 'The value must be a positive number.');
    case 'FLAVOR_NOT_FOUND':
      return fieldError('flavorId', 'not_allowed', `规格 ${result.details.flavorId} 不存在。`, `Flavor ${result.details.flavorId} does not exist.`);
    case 'FLAVOR_NOT_ACCESSIBLE':
      return fieldError('flavorId', 'not_allowed', `当前项目无权使用规格 ${result.details.flavorName}。`, `The project has no access to flavor ${result.details.flavorName}.`);
    case 'FLAVOR_TOO_SMALL': {
      const parts = result.details.shortfalls.map((shortfall) => `${shortfall.dimension} ${shortfall.available}/${shortfall.required} ${shortfall.unit}`).join(', ');
      return fieldError('flavorId', 'not_allowed', `规格 ${result.details.flavorName} 小于所需配置（可用/需要：${parts}）。`, `Flavor ${result.details.flavorName} is too small (available/required: ${parts}).`);
    }
  }
}

function networkFieldError(result: Exclude<NetworkChoiceResult, { ok: true }>): FieldError {
  switch (result.code) {
    case 'NO_USABLE_NETWORK':
      return fieldError('networkId', 'required', '项目中没有可用网络，请联系平台管理员创建网络。', 'The project has no usable network; ask a platform operator to create one.');
    case 'NETWORK_NOT_FOUND':
      return fieldError('networkId', 'not_allowed', `网络 ${result.details.networkId} 不存在或当前项目不可见。`, `Network ${result.details.networkId} does not exist or is not visible to the project.`);
    case 'NETWORK_NOT_USABLE':
      return fieldError('networkId', 'not_allowed', `网络 ${result.details.networkName} 不可用（${result.details.reasons.join(', ')}）。`, `Network ${result.details.networkName} cannot be used (${result.details.reasons.join(', ')}).`);
  }
}
