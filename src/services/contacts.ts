import type { Db } from '../db/database.ts';
import { maskEmail, maskPhone } from '../domain/masking.ts';
import { recordAudit } from './audit.ts';
import { decryptField, encryptField, FieldCryptoError, type Keyring } from './crypto/index.ts';
import { PortalError } from '../errors/portal-error.ts';

// Associated data for each encrypted column, so a value copied into another column fails to decrypt.
export const PHONE_CONTEXT = 'contact.phone';
export const EMAIL_CONTEXT = 'contact.email';

export type ContactType = 'business' | 'technical' | 'security' | 'finance' | 'other';

export interface ContactInput {
  tenantId: string;
  type: ContactType;
  name: string;
  phone: string | null;
  email: string | null;
}

/** Column values for a contact: each personal field encrypted, with its masked form beside it. */
export function contactColumns(keyring: Keyring, input: Pick<ContactInput, 'phone' | 'email'>) {
  return {
    phone_encrypted: input.phone ? encryptField(keyring, input.phone, PHONE_CONTEXT) : null,
    phone_masked: input.phone ? maskPhone(input.phone) : null,
    email_encrypted: input.email ? encryptField(keyring, input.email, EMAIL_CONTEXT) : null,
    email_masked: input.email ? maskEmail(input.email) : null,
  };
}

export async function createContact(db: Db, keyring: Keyring, input: ContactInput): Promise<{ id: string }> {
  return db
    .insertInto('contacts')
    .values({ tenant_id: input.tenantId, type: input.type, name: input.name, ...contactColumns(keyring, input) })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/**
 * Decrypts one contact's phone and email and writes the audit row in the same transaction, so no
 * reveal goes unrecorded. Returns null for an unknown contact, with nothing recorded.
 */
export async function revealContact(
  db: Db,
  keyring: Keyring,
  contactId: string,
  actor: { actorUserId: string; requestId: string | null; clientAddress: string | null },
) {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('contacts')
      .select(['id', 'tenant_id', 'name', 'phone_encrypted', 'email_encrypted'])
      .where('id', '=', contactId)
      .executeTakeFirst();
    if (!row) return null;

    let phone: string | null;
    let email: string | null;
    try {
      phone = row.phone_encrypted ? decryptField(keyring, row.phone_encrypted, PHONE_CONTEXT) : null;
      email = row.email_encrypted ? decryptField(keyring, row.email_encrypted, EMAIL_CONTEXT) : null;
    } catch (error) {
      // The crypto error names the missing key id for the log; the caller gets a stable code.
      if (error instanceof FieldCryptoError) throw new PortalError('CONTACT_UNREADABLE', { id: row.id }, { cause: error });
      throw error;
    }

    await recordAudit(trx, {
      actorUserId: actor.actorUserId,
      tenantId: row.tenant_id,
      action: 'contact.reveal',
      targetType: 'contact',
      targetId: row.id,
      requestId: actor.requestId,
      clientAddress: actor.clientAddress,
      details: { fields: [phone !== null ? 'phone' : null, email !== null ? 'email' : null].filter(Boolean) },
    });
    return { id: row.id, tenantId: row.tenant_id, name: row.name, phone, email };
  });
}
