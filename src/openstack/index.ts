// Public API of the OpenStack client. Service functions take the client as their first argument:
//
//   const client = createOpenStackClient(loadCloudConfig({ cloud: 'mycloud' }));
//   const servers = await listServers(client, { status: 'ACTIVE' });
//
// Failures are OpenStackError with a stable `code` (see OPENSTACK_ERROR_CODES). The client never logs.

export { createOpenStackClient, OpenStackClient, serviceBaseUrl } from './client.ts';
export type { ClientOptions, ServiceRequest, ServiceResponse } from './client.ts';

export { loadCloudConfig } from './config/load.ts';
export type { LoadCloudOptions } from './config/load.ts';
export { defaultSearchDirs } from './config/clouds-yaml.ts';
export type { AuthConfig, AuthType, CloudConfig, EndpointInterface } from './config/types.ts';

export { OPENSTACK_ERROR_CODES, OpenStackError, isOpenStackError } from './errors.ts';
export type { InstanceStateConflict, OpenStackErrorCode, ServerFault } from './errors.ts';
export { parseErrorBody, parseInstanceStateConflict } from './error-body.ts';

export type { CatalogService, ServiceType } from './auth/catalog.ts';
export type { KeystoneToken } from './auth/keystone.ts';
export { DEFAULT_RETRY_POLICY } from './transport/retry-policy.ts';
export type { RetryPolicy } from './transport/retry-policy.ts';
export { collectAll, paginate } from './pager.ts';

export { MAX_TESTED_COMPUTE_MICROVERSION, MIN_COMPUTE_MICROVERSION, atLeast, computeMicroversion, computeRequest } from './compute/microversion.ts';
export type { ComputeResponse } from './compute/microversion.ts';
export { createServer, createServerWithRequestId, deleteServer, getServer, listServerPages, listServers } from './compute/servers.ts';
export type { BlockDeviceMapping, CreateServerRequest, ListServersFilters, ServerNetwork } from './compute/servers.ts';
export {
  confirmServerResize,
  pauseServer,
  rebootServer,
  resizeServer,
  resumeServer,
  revertServerResize,
  startServer,
  stopServer,
  suspendServer,
  unpauseServer,
} from './compute/server-actions.ts';
export type { AcceptedRequest } from './compute/server-actions.ts';
export { getRemoteConsole } from './compute/consoles.ts';
export type { ConsoleProtocol, RemoteConsole, RemoteConsoleRequest } from './compute/consoles.ts';
export { getFlavor, listFlavors } from './compute/flavors.ts';
export type { ListFlavorsFilters } from './compute/flavors.ts';
export { getComputeLimits } from './compute/limits.ts';
export type { ComputeLimits } from './compute/limits.ts';
export { getComputeQuotas, updateComputeQuotas } from './compute/quotas.ts';
export type { ComputeQuotaSet, ComputeQuotaUpdate } from './compute/quotas.ts';
export { getInstanceAction, listInstanceActions } from './compute/instance-actions.ts';
export type { InstanceAction, InstanceActionEvent } from './compute/instance-actions.ts';
export type { Flavor, Server, ServerAddress, ServerFlavor, ServerStatus } from './compute/types.ts';

export { getImage, listImagePages, listImages } from './image/images.ts';
export type { Image, ImageStatus, ImageVisibility, ListImagesFilters } from './image/images.ts';

export { getNetwork, listNetworks } from './network/networks.ts';
export type { ListNetworksFilters, Network } from './network/networks.ts';
export { getSubnet, listSubnets } from './network/subnets.ts';
export type { ListSubnetsFilters, Subnet } from './network/subnets.ts';
export { deletePort, getPort, listPorts } from './network/ports.ts';
export type { ListPortsFilters, Port } from './network/ports.ts';
export { deleteFloatingIp, getFloatingIp, listFloatingIps } from './network/floating-ips.ts';
export type { FloatingIp, ListFloatingIpsFilters } from './network/floating-ips.ts';

export { createVolume, deleteVolume, getVolume, listVolumes } from './volume/volumes.ts';
export type { CreateVolumeRequest, ListVolumesFilters, Volume, VolumeAttachment } from './volume/volumes.ts';
export { getVolumeLimits } from './volume/limits.ts';
export type { VolumeLimits } from './volume/limits.ts';

export { DEFAULT_WAIT_POLICY, waitForServer, waitForVolume } from './wait.ts';
export type { WaitForServerOptions, WaitForVolumeOptions, WaitOptions } from './wait.ts';
