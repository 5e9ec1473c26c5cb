import type { Db } from '../db/database.ts';
import { allTenantContacts, type ContactView } from './tenant-contacts.ts';
import { findTenant, type ProjectBinding, type TenantStatus } from './tenants.ts';

export interface TenantProfile {
  tenant: { id: string; code: string; name: string; status: TenantStatus; description: string };
  binding: ProjectBinding | null;
  /** Phone and email in masked form only; nothing here is decrypted. */
  contacts: ContactView[];
}

/** Loads a tenant, its OpenStack binding and its contacts; null when the tenant does not exist. */
export async function tenantProfile(db: Db, tenantId: string): Promise<TenantProfile | null> {
  const tenant = await findTenant(db, tenantId);
  if (!tenant) return null;

  const contacts = await allTenantContacts(db, tenantId);
  return {
    tenant: { id: tenant.id, code: tenant.code, name: tenant.name, status: tenant.status, description: tenant.description },
    binding: tenant.binding,
    contacts,
  };
}
