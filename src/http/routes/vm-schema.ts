import { Type, type TSchema } from 'typebox';
import { PORTAL_VM_STATUSES } from '../../domain/vm-status.ts';
import type { VmListFilters } from '../../services/vms/vm-queries.ts';
import { VM_SORT_FIELDS } from '../../services/vms/vm-queries.ts';
import { PageParams, sortParam } from '../pagination.ts';
import { Uuid } from '../schemas.ts';

// The VM as the API returns it and the list filters, shared by the tenant routes and the operator list.

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Address = Type.Object({ network: Type.String(), addr: Type.String(), version: Type.Integer(), type: Type.String(), mac: nullable(Type.String()) });

export const VmSchema = Type.Object({
  id: Type.String(),
  systemId: Type.String(),
  name: Type.String(),
  description: Type.String(),
  status: Type.String({ enum: [...PORTAL_VM_STATUSES] }),
  pendingAction: nullable(Type.String()),
  pendingOperationId: nullable(Type.String()),
  pendingDeadlineAt: nullable(Type.String({ format: 'date-time' })),
  serverId: nullable(Type.String()),
  flavor: Type.Object({ id: nullable(Type.String()), name: nullable(Type.String()) }),
  image: Type.Object({ id: nullable(Type.String()), name: nullable(Type.String()) }),
  os: Type.Object({ distro: nullable(Type.String()), version: nullable(Type.String()) }),
  network: Type.Object({ id: nullable(Type.String()), name: nullable(Type.String()) }),
  cpu: Type.Integer(),
  memoryMiB: Type.Integer(),
  rootDiskGiB: Type.Integer(),
  volumeGiB: Type.Integer(),
  bootVolumeId: nullable(Type.String()),
  primaryIp: nullable(Type.String()),
  addresses: Type.Array(Address),
  faultMessage: nullable(Type.String()),
  nova: Type.Object({ status: nullable(Type.String()), vmState: nullable(Type.String()), taskState: nullable(Type.String()), powerState: nullable(Type.Integer()) }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  launchedAt: nullable(Type.String({ format: 'date-time' })),
  lastSyncedAt: nullable(Type.String({ format: 'date-time' })),
  deletedAt: nullable(Type.String({ format: 'date-time' })),
});

/** Query fields of a VM list: paging, system, status, name text and sort. */
export const VmListQueryFields = {
  ...PageParams,
  system_id: Type.Optional(Uuid),
  status: Type.Optional(VmSchema.properties.status),
  q: Type.Optional(Type.String({ maxLength: 64, description: 'Text contained in the VM name, case-insensitive.' })),
  sort: sortParam(VM_SORT_FIELDS, '-created_at'),
};

/** Converts a validated VM list query to the service's filters. */
export function vmListFilters(query: {
  page: number;
  page_size: number;
  system_id?: string | undefined;
  status?: string | undefined;
  q?: string | undefined;
  sort?: VmListFilters['sort'];
}): VmListFilters {
  return { page: query.page, page_size: query.page_size, systemId: query.system_id, status: query.status, q: query.q, sort: query.sort };
}
