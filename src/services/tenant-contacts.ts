import type { Selectable } from 'kysely';
import type { Db, DbOrTrx } from '../db/database.ts';
import { fetchPage, mapPage, type Page, type PageRequest } from '../db/paging.ts';
import type { ContactsTable } from '../db/tables.ts';
import { tenantScope } from '../db/tenant-scope.ts';
import { auditChange, sentFields, type AuditActor } from './change-audit.ts';
import { contactColumns, type ContactType } from './contacts.ts';
import type { Keyring } from './crypto/index.ts';

/** A contact as the API shows it: phone and email only in masked form. */
export interface ContactView {
  id: string;
  tenantId: string;
  type: ContactType;
  name: string;
  phoneMasked: string | null;
  emailMasked: string | null;
  createdAt: string;
  updatedAt: string;
}

// The encrypted columns are never selected here, so no code path of these endpoints can return them.
const VIEW_COLUMNS = ['id', 'tenant_id', 'type', 'name', 'phone_masked', 'email_masked', 'created_at', 'updated_at'] as const;

type ContactViewRow = Pick<Selectable<ContactsTable>, (typeof VIEW_COLUMNS)[number]>;

function toContactView(row: ContactViewRow): ContactView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    type: row.type,
    name: row.name,
    phoneMasked: row.phone_masked,
    emailMasked: row.email_masked,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Returns one page of a tenant's contacts, ordered by type and name. */
export async function listTenantContacts(db: Db, tenantId: string, page: PageRequest): Promise<Page<ContactView>> {
  const filtered = tenantScope(db, tenantId).selectFrom('contacts');
  const rows = await fetchPage(filtered, (query) => query.select(VIEW_COLUMNS).orderBy('type').orderBy('name').orderBy('id'), page);
  return mapPage(rows, toContactView);
}

/** Returns all contacts of a tenant, masked. A tenant has a handful, so this is not paged. */
export async function allTenantContacts(db: DbOrTrx, tenantId: string): Promise<ContactView[]> {
  const rows = await tenantScope(db, tenantId).selectFrom('contacts').select(VIEW_COLUMNS).orderBy('type').orderBy('name').orderBy('id').execute();
  return rows.map(toContactView);
}

export interface ContactFields {
  type: ContactType;
  name: string;
  phone?: string | null;
  email?: string | null;
}

/** Adds a contact to an existing tenant; null when the tenant does not exist. */
export async function addTenantContact(db: Db, keyring: Keyring, actor: AuditActor, tenantId: string, input: ContactFields): Promise<ContactView | null> {
  return db.transaction().execute(async (trx) => {
    const tenant = await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst();
    if (!tenant) return null;

    const row = await trx
      .insertInto('contacts')
      .values({ tenant_id: tenantId, type: input.type, name: input.name, ...contactColumns(keyring, { phone: input.phone ?? null, email: input.email ?? null }) })
      .returning(VIEW_COLUMNS)
      .executeTakeFirstOrThrow();

    await auditChange(trx, actor, { tenantId, action: 'contact.create', targetType: 'contact', targetId: row.id, details: { fields: sentFields(input) } });
    return toContactView(row);
  });
}

/**
 * Changes a contact; a phone or email that is sent is encrypted again, null removes it, and an
 * absent one is kept. Returns null for an unknown contact.
 */
export async function updateContact(db: Db, keyring: Keyring, actor: AuditActor, id: string, patch: Partial<ContactFields>): Promise<ContactView | null> {
  const columns = contactColumns(keyring, { phone: patch.phone ?? null, email: patch.email ?? null });

  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('contacts')
      .set({
        ...(patch.type !== undefined ? { type: patch.type } : {}),
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.phone !== undefined ? { phone_encrypted: columns.phone_encrypted, phone_masked: columns.phone_masked } : {}),
        ...(patch.email !== undefined ? { email_encrypted: columns.email_encrypted, email_masked: columns.email_masked } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returning(VIEW_COLUMNS)
      .executeTakeFirst();
    if (!row) return null;

    await auditChange(trx, actor, { tenantId: row.tenant_id, action: 'contact.update', targetType: 'contact', targetId: id, details: { fields: sentFields(patch) } });
    return toContactView(row);
  });
}

/** Deletes a contact; false for an unknown one. */
export async function deleteContact(db: Db, actor: AuditActor, id: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.deleteFrom('contacts').where('id', '=', id).returning('tenant_id').executeTakeFirst();
    if (!row) return false;

    await auditChange(trx, actor, { tenantId: row.tenant_id, action: 'contact.delete', targetType: 'contact', targetId: id });
    return true;
  });
}
