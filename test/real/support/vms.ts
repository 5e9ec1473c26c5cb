import type { PortalUser } from './portal-api.ts';
import { waitUntil, type WaitOptions } from './wait.ts';

/** The fields of the portal's VM view (GET /api/v1/vms/{id}) that the suite reads. */
export interface VmView {
  id: string;
  systemId: string;
  name: string;
  status: string;
  pendingAction: string | null;
  serverId: string | null;
  flavor: { id: string | null; name: string | null };
  image: { id: string | null; name: string | null };
  os: { distro: string | null; version: string | null };
  cpu: number;
  memoryMiB: number;
  rootDiskGiB: number;
  volumeGiB: number;
  primaryIp: string | null;
  addresses: { network: string; addr: string; version: number; type: string; mac: string | null }[];
  faultMessage: string | null;
  createdAt: string;
  deletedAt: string | null;
}

/** The fields of one operation (POST .../actions, DELETE, GET .../operations) that the suite reads. */
export interface OperationView {
  id: string;
  vmId: string | null;
  kind: string;
  status: string;
  openstackRequestId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** Asks the portal for a VM by OS and size, the way the create form does; returns the 202 body. */
export function requestVm(user: PortalUser, systemId: string, name: string): Promise<VmView> {
  return user.request<VmView>('POST', '/api/v1/vms', { systemId, name, cpu: 1, memoryGiB: 1, diskGiB: 10, os: { distro: 'ubuntu', version: '22.04' } }, 202);
}

export function readVm(user: PortalUser, vmId: string): Promise<VmView> {
  return user.get<VmView>(`/api/v1/vms/${vmId}`);
}

/** Polls the portal (at most once a second) until the VM shows `status` with no pending action. */
export function waitForVmStatus(user: PortalUser, vmId: string, status: string, options: WaitOptions = {}): Promise<VmView> {
  return waitUntil(`portal VM ${vmId} to be ${status}`, () => readVm(user, vmId), (vm) => vm.status === status && vm.pendingAction === null, options);
}

export async function readOperation(user: PortalUser, vmId: string, operationId: string): Promise<OperationView | undefined> {
  const page = await user.get<Page<OperationView>>(`/api/v1/vms/${vmId}/operations?page_size=100`);
  return page.items.find((operation) => operation.id === operationId);
}

/** Polls the VM's operation list until the operation has ended, whatever the outcome. */
export function waitForOperationEnd(user: PortalUser, vmId: string, operationId: string): Promise<OperationView | undefined> {
  return waitUntil(
    `operation ${operationId} of VM ${vmId} to end`,
    () => readOperation(user, vmId, operationId),
    (operation) => operation !== undefined && operation.status !== 'pending' && operation.status !== 'running',
  );
}

/** Lists every VM of the caller's tenant that the portal does not show as deleted. */
export async function liveVms(user: PortalUser): Promise<VmView[]> {
  const page = await user.get<Page<VmView>>('/api/v1/vms?page_size=100');
  return page.items.filter((vm) => vm.status !== 'deleted');
}
