/** Roles inside one tenant, weakest first. Platform operators stand apart from tenants. */
export const TENANT_ROLES = ['viewer', 'operator', 'admin'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

/** Actions a caller may take. Each route names the one permission it needs. */
export const PERMISSIONS = [
  'tenant:read',
  'vm:operate',
  'vm:manage',
  'tenant:users',
  'platform:admin',
  'personal-data:reveal',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const TENANT_ROLE_PERMISSIONS: Record<TenantRole, readonly Permission[]> = {
  viewer: ['tenant:read'],
  operator: ['tenant:read', 'vm:operate'],
  admin: ['tenant:read', 'vm:operate', 'vm:manage', 'tenant:users'],
};

export interface RoleHolder {
  isPlatformOperator: boolean;
  tenantRole: TenantRole | null;
}

/** Lists the permissions of a caller: a platform operator has all of them. */
export function permissionsOf(holder: RoleHolder): Permission[] {
  if (holder.isPlatformOperator) return [...PERMISSIONS];
  return holder.tenantRole ? [...TENANT_ROLE_PERMISSIONS[holder.tenantRole]] : [];
}

export function hasPermission(holder: RoleHolder, permission: Permission): boolean {
  return permissionsOf(holder).includes(permission);
}
